import { describe, expect, it } from 'vitest';
import { mergeAllHistograms, mergeHistograms } from '#core/rollups/latency-histogram.ts';
import { addCounts, countsOf, EMPTY_COUNTS, sumTotals } from '#core/rollups/rollup.ts';
import { prng } from '../../../fixtures/prng.ts';
import { usageRecord } from '../../../fixtures/usage-record.ts';

describe('sumTotals and mergeAllHistograms', () => {
  it('give what a fold of addCounts gives, field by field', () => {
    // Arrange: 200 random records' counts (errors, unpriced, streams, big costs)
    const random = prng(7);
    const counts = Array.from({ length: 200 }, (_, i) =>
      countsOf(
        usageRecord({
          status: random() < 0.2 ? 500 : 200,
          errorSource: random() < 0.5 ? 'metrion' : 'provider',
          inputTokens: Math.floor(random() * 9000),
          outputTokens: Math.floor(random() * 900),
          cacheReadTokens: Math.floor(random() * 90),
          cacheWriteTokens: Math.floor(random() * 9),
          costPicoUsd: random() < 0.1 ? null : 9_007_199_254_740_993n * BigInt(i + 1),
          latencyMs: Math.floor(random() * 30_000),
          streamed: i % 3 === 0,
          cached: i % 7 === 0,
          ...(i % 3 === 0 ? { timeToFirstTokenMs: i, estimated: i % 2 === 0 } : {}),
        }),
      ),
    );

    // Act
    const folded = counts.reduce(addCounts, EMPTY_COUNTS);
    const { latencyHistogram, ...foldedTotals } = folded;

    // Assert
    expect(sumTotals(counts)).toEqual(foldedTotals);
    expect(mergeAllHistograms(counts.map((c) => c.latencyHistogram))).toEqual(latencyHistogram);
    expect(mergeAllHistograms([])).toEqual(mergeHistograms());
    expect(sumTotals([]).costPicoUsd).toBe(0n);
  });
});
