import type { DisplayMoney } from '../currency/display-money.ts';
import { bucketIso, type ResolvedRange } from '../rollups/buckets.ts';
import { type LatencyHistogram, mergeAllHistograms } from '../rollups/latency-histogram.ts';
import { type Rollup, type RollupTotals, sumTotals } from '../rollups/rollup.ts';

/** Everything one query needs: range, filtered rollups of both periods, per-bucket views. */
export class DashboardView {
  readonly range: ResolvedRange;
  readonly current: readonly Rollup[];
  readonly previous: readonly Rollup[];
  /** The range's rollups before the filters (the filter panel lists what they hold). */
  readonly unfiltered: readonly Rollup[];
  readonly displayMoney: DisplayMoney;
  readonly #bucketIndex: Map<string, number>;

  constructor(options: {
    range: ResolvedRange;
    rollups: readonly Rollup[];
    accept: (rollup: Rollup) => boolean;
    displayMoney: DisplayMoney;
  }) {
    this.range = options.range;
    this.displayMoney = options.displayMoney;
    const fromIso = bucketIso(options.range.fromMs);
    this.unfiltered = options.rollups.filter((rollup) => rollup.bucketStart >= fromIso);
    this.current = this.unfiltered.filter(options.accept);
    this.previous = options.rollups.filter(
      (rollup) => rollup.bucketStart < fromIso && options.accept(rollup),
    );
    this.#bucketIndex = new Map(
      options.range.bucketStartsMs.map((startMs, index) => [bucketIso(startMs), index]),
    );
  }

  /** Totals per bucket of the given rollups, aligned with the range's buckets. */
  perBucket(rollups: readonly Rollup[]): RollupTotals[] {
    return this.#byBucket(rollups).map((bucket) => sumTotals(bucket));
  }

  /** Merged latency histogram per bucket of the given rollups, aligned with the buckets. */
  histogramsPerBucket(rollups: readonly Rollup[]): LatencyHistogram[] {
    return this.#byBucket(rollups).map((bucket) =>
      mergeAllHistograms(bucket.map((rollup) => rollup.latencyHistogram)),
    );
  }

  #byBucket(rollups: readonly Rollup[]): Rollup[][] {
    const buckets: Rollup[][] = this.range.bucketStartsMs.map(() => []);
    for (const rollup of rollups) {
      const index = this.#bucketIndex.get(rollup.bucketStart);
      if (index !== undefined) buckets[index]?.push(rollup);
    }
    return buckets;
  }

  money(picoUsd: bigint): string {
    return this.displayMoney.convert(picoUsd);
  }

  rangeDto() {
    return rangeDtoOf(this.range);
  }

  uniqueRequesters(rollups: readonly Rollup[]): number {
    return new Set(rollups.flatMap((r) => (r.requester === null ? [] : [r.requester]))).size;
  }

  /** Distinct requesters per bucket of the filtered range. */
  requesterSeries(): number[] {
    const sets = this.range.bucketStartsMs.map(() => new Set<string>());
    for (const rollup of this.current) {
      const index = this.#bucketIndex.get(rollup.bucketStart);
      if (index !== undefined && rollup.requester !== null) sets[index]?.add(rollup.requester);
    }
    return sets.map((set) => set.size);
  }
}

/** A resolved range as every Dashboard answer describes it. */
export function rangeDtoOf(range: ResolvedRange) {
  return {
    from: bucketIso(range.fromMs),
    to: bucketIso(range.toMs),
    bucket: range.granularity,
    buckets: range.bucketStartsMs.map(bucketIso),
    previousFrom: bucketIso(range.previousFromMs),
    previousTo: bucketIso(range.previousToMs),
  };
}
