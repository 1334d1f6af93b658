import type { Rollup, RollupTotals } from '../rollups/rollup.ts';

/** Percent change vs the previous period, 1 decimal; null without a baseline. */
export function changePct(current: number, previous: number): number | null {
  if (previous === 0) return null;
  return Math.round(((current - previous) / previous) * 1000) / 10;
}

/** {@link changePct} of exact integers (money), without a float ratio. */
export function bigChangePct(current: bigint, previous: bigint): number | null {
  if (previous === 0n) return null;
  // Ratio of exact integers in basis points of a tenth of a percent, then one division.
  return Number(((current - previous) * 1000n) / previous) / 10;
}

export function groupBy<K>(
  rollups: readonly Rollup[],
  key: (rollup: Rollup) => K,
): Map<K, Rollup[]> {
  const groups = new Map<K, Rollup[]>();
  for (const rollup of rollups) {
    const k = key(rollup);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [rollup]);
    else group.push(rollup);
  }
  return groups;
}

/** Groups by provider and model (a model name may exist at two providers). */
export function groupByModel(rollups: readonly Rollup[]): Rollup[][] {
  return [...groupBy(rollups, (r) => `${r.provider}\u0000${r.model}`).values()];
}

export function avgOrNull(sum: number, count: number): number | null {
  return count === 0 ? null : Math.round((sum / count) * 10) / 10;
}

export function tokenSeries(buckets: readonly RollupTotals[]) {
  return {
    input: buckets.map((b) => b.inputTokens),
    output: buckets.map((b) => b.outputTokens),
    cacheRead: buckets.map((b) => b.cacheReadTokens),
    cacheWrite: buckets.map((b) => b.cacheWriteTokens),
  };
}

export function totalTokens(counts: RollupTotals): number {
  return (
    counts.inputTokens + counts.outputTokens + counts.cacheReadTokens + counts.cacheWriteTokens
  );
}
