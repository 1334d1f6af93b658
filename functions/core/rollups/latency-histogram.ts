/**
 * Mergeable latency histograms with fixed, log-spaced buckets: 4 per doubling of the latency.
 * Bucket `i >= 1` holds latencies in `[2^(i/4), 2^((i+1)/4))` ms; bucket 0 holds `[0, 2^(1/4))`;
 * the last bucket also holds everything above it. Because the boundaries are fixed, histograms
 * of any hours, days, models or requesters merge by adding counts, and a percentile read from
 * the merged counts is the same as from one histogram over all requests.
 *
 * Error bound: a percentile is reported as its bucket's geometric midpoint `2^((i+0.5)/4)`,
 * which is within a factor `2^(1/8)` (about 9.05%) of every latency in the bucket, so the
 * reported p50/p95/p99 is within about 9% of the exact percentile (rank-exact bucket choice),
 * plus up to 0.05 ms from showing the midpoint to 0.1 ms (noticeable only near 2 ms).
 */

/** Buckets per doubling of latency. */
export const LATENCY_BUCKETS_PER_DOUBLING = 4;
/** The last bucket index: 2^(90/4) ms is about 1.7 hours, beyond any Lambda run. */
export const LATENCY_MAX_BUCKET = 90;

/** Sparse counts per bucket index. */
export type LatencyHistogram = ReadonlyMap<number, number>;

const lowerBound = (index: number): number =>
  index === 0 ? 0 : 2 ** (index / LATENCY_BUCKETS_PER_DOUBLING);
const LOWER_BOUNDS_MS: readonly number[] = Array.from({ length: LATENCY_MAX_BUCKET + 2 }, (_, i) =>
  lowerBound(i),
);

/** The bucket a latency falls into (binary search over fixed bounds, no float log drift). */
export function latencyBucketIndex(latencyMs: number): number {
  if (!(latencyMs >= (LOWER_BOUNDS_MS[1] ?? lowerBound(1)))) return 0;
  let low = 1;
  let high = LATENCY_MAX_BUCKET;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((LOWER_BOUNDS_MS[mid] ?? lowerBound(mid)) <= latencyMs) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** The value reported for a bucket: its geometric midpoint (bucket 0: 1 ms), to 0.1 ms. */
export function latencyBucketValueMs(index: number): number {
  if (index <= 0) return 1;
  return Math.round(10 * 2 ** ((index + 0.5) / LATENCY_BUCKETS_PER_DOUBLING)) / 10;
}

/** A histogram of one latency. */
export function histogramOf(latencyMs: number): LatencyHistogram {
  return new Map([[latencyBucketIndex(latencyMs), 1]]);
}

/** Adds counts bucket by bucket (commutative, associative: merge order never matters). */
export function mergeHistograms(...histograms: readonly LatencyHistogram[]): LatencyHistogram {
  const merged = new Map<number, number>();
  for (const histogram of histograms) {
    for (const [index, count] of histogram) merged.set(index, (merged.get(index) ?? 0) + count);
  }
  return merged;
}

/** {@link mergeHistograms} of any number of histograms, into one map. */
export function mergeAllHistograms(histograms: Iterable<LatencyHistogram>): LatencyHistogram {
  const merged = new Map<number, number>();
  for (const histogram of histograms) {
    for (const [index, count] of histogram) merged.set(index, (merged.get(index) ?? 0) + count);
  }
  return merged;
}

/** Total count in a histogram. */
export function histogramCount(histogram: LatencyHistogram): number {
  let total = 0;
  for (const count of histogram.values()) total += count;
  return total;
}

/**
 * The `quantile` (0..1) of the merged counts: the bucket holding the `ceil(q * n)`-th smallest
 * latency, reported as its midpoint. Null for an empty histogram.
 */
export function histogramPercentile(histogram: LatencyHistogram, quantile: number): number | null {
  const total = histogramCount(histogram);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(quantile * total));
  let seen = 0;
  for (const index of [...histogram.keys()].sort((a, b) => a - b)) {
    seen += histogram.get(index) ?? 0;
    if (seen >= rank) return latencyBucketValueMs(index);
  }
  return latencyBucketValueMs(LATENCY_MAX_BUCKET);
}
