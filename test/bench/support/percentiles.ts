// Exact percentiles from sorted samples (nearest rank: no interpolation, every value was observed).

/** p50/p95/p99 of one set of samples, in the samples' unit. */
export interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/**
 * The nearest-rank percentile of ascending `sorted`: the smallest sample with at least `p`% of
 * the samples at or below it, i.e. `sorted[ceil(p / 100 * n) - 1]`.
 * @throws RangeError for an empty list or `p` outside (0, 100].
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of no samples');
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** Sorts a copy of `samples` and reads p50, p95 and p99 from it. */
export function summarize(samples: readonly number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
  };
}
