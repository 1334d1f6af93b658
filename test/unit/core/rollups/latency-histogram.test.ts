import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  histogramCount,
  histogramOf,
  histogramPercentile,
  LATENCY_MAX_BUCKET,
  latencyBucketIndex,
  mergeHistograms,
} from '#core/rollups/latency-histogram.ts';

function exactPercentile(values: readonly number[], quantile: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(quantile * sorted.length)) - 1] as number;
}

describe('latency histogram', () => {
  it('puts exact bucket boundaries into the upper bucket', () => {
    expect(latencyBucketIndex(0)).toBe(0);
    expect(latencyBucketIndex(1)).toBe(0);
    expect(latencyBucketIndex(2)).toBe(4);
    expect(latencyBucketIndex(1024)).toBe(40);
    expect(latencyBucketIndex(1023.99)).toBe(39);
    expect(latencyBucketIndex(10 ** 12)).toBe(LATENCY_MAX_BUCKET);
  });

  it('reports percentiles within 9.1% (plus the 0.05 ms display rounding) of the exact ones, whatever the merge order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 2, max: 600_000 }), { minLength: 1, maxLength: 50 }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.constantFrom(0.5, 0.95, 0.99),
        (groups, quantile) => {
          const parts = groups.map((group) => mergeHistograms(...group.map(histogramOf)));
          const merged = mergeHistograms(...parts);
          const reversed = mergeHistograms(...[...parts].reverse());
          const all = groups.flat();
          expect(histogramCount(merged)).toBe(all.length);
          expect(histogramPercentile(reversed, quantile)).toBe(
            histogramPercentile(merged, quantile),
          );
          const exact = exactPercentile(all, quantile);
          const reported = histogramPercentile(merged, quantile) as number;
          // 2^(1/8) - 1 relative, plus rounding the midpoint to 0.1 ms (it matters near 2 ms).
          expect(Math.abs(reported - exact)).toBeLessThanOrEqual(0.0906 * exact + 0.05);
        },
      ),
    );
  });

  it('stays within the bound at the smallest latencies, where the rounding matters', () => {
    // 2 ms lands in [2, 2^(5/4)); its midpoint 2.18 is shown as 2.2 ms.
    expect(histogramPercentile(histogramOf(2), 0.5)).toBe(2.2);
  });

  it('has no percentile without data', () => {
    expect(histogramPercentile(new Map(), 0.95)).toBeNull();
  });
});
