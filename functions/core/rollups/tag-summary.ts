import type { Granularity } from './buckets.ts';
import type { RollupCounts, RollupDimensions } from './rollup.ts';
import type { TagRollup } from './tag-rollup.ts';

/**
 * Values a tag summary keeps by name per bucket; the rest are folded into its remainder. It
 * bounds what the "By tag" view reads per bucket whatever the number of distinct values.
 */
export const TAG_SUMMARY_VALUES = 100;

/** The counts the "By tag" view shows, per value (a subset of the usage rollup's). */
export type TagTotals = Pick<
  RollupCounts,
  | 'requests'
  | 'errors'
  | 'inputTokens'
  | 'outputTokens'
  | 'cacheReadTokens'
  | 'cacheWriteTokens'
  | 'costPicoUsd'
  | 'unpricedRequests'
>;

export const EMPTY_TAG_TOTALS: TagTotals = {
  requests: 0,
  errors: 0,
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  costPicoUsd: 0n,
  unpricedRequests: 0,
};

export function addTagTotals(a: TagTotals, b: TagTotals): TagTotals {
  return combineTagTotals(a, b, 1);
}

/** `a` less `b`, where `b` is a part of `a` (the view's "other": the total less named values). */
export function subtractTagTotals(a: TagTotals, b: TagTotals): TagTotals {
  return combineTagTotals(a, b, -1);
}

function combineTagTotals(a: TagTotals, b: TagTotals, sign: 1 | -1): TagTotals {
  return {
    requests: a.requests + sign * b.requests,
    errors: a.errors + sign * b.errors,
    inputTokens: a.inputTokens + sign * b.inputTokens,
    outputTokens: a.outputTokens + sign * b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + sign * b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + sign * b.cacheWriteTokens,
    costPicoUsd: a.costPicoUsd + BigInt(sign) * b.costPicoUsd,
    unpricedRequests: a.unpricedRequests + sign * b.unpricedRequests,
  };
}

/** One dimension combination's totals inside a summary (filters apply to its dimensions). */
export interface TagSummaryEntry extends RollupDimensions, TagTotals {
  /** The latest expiry of the records it counts: readers skip an entry once it has passed. */
  readonly expiresAtEpochSeconds: number;
}

/** A value kept by name, with its totals per dimension combination. */
export interface TagSummaryValue {
  readonly value: string;
  readonly entries: readonly TagSummaryEntry[];
}

/**
 * One closed, sealed bucket of one tag key, bounded: its {@link TAG_SUMMARY_VALUES} values of
 * highest cost (then requests, then value) by name, and every other value folded into `rest`
 * per dimension combination. Exact: kept values and the remainder are sums over the raw records
 * (it is built from sealed tag rollups), and together they are the bucket's whole tagged usage.
 */
export interface TagSummary {
  readonly accountId: string;
  readonly tagKey: string;
  readonly granularity: Granularity;
  readonly bucketStart: string;
  readonly values: readonly TagSummaryValue[];
  readonly rest: readonly TagSummaryEntry[];
  /** Distinct values folded into `rest` (0: every value of the bucket is kept by name). */
  readonly foldedValues: number;
}

/** Cost first, then requests, then the value: the order of the view and of the summary. */
export function compareByCost(
  a: { readonly value: string; readonly totals: TagTotals },
  b: { readonly value: string; readonly totals: TagTotals },
): number {
  if (a.totals.costPicoUsd !== b.totals.costPicoUsd) {
    return a.totals.costPicoUsd > b.totals.costPicoUsd ? -1 : 1;
  }
  if (a.totals.requests !== b.totals.requests) return b.totals.requests - a.totals.requests;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

function entryOf(rollup: TagRollup): TagSummaryEntry {
  return {
    provider: rollup.provider,
    model: rollup.model,
    requester: rollup.requester,
    status: rollup.status,
    kind: rollup.kind,
    requests: rollup.requests,
    errors: rollup.errors,
    inputTokens: rollup.inputTokens,
    outputTokens: rollup.outputTokens,
    cacheReadTokens: rollup.cacheReadTokens,
    cacheWriteTokens: rollup.cacheWriteTokens,
    costPicoUsd: rollup.costPicoUsd,
    unpricedRequests: rollup.unpricedRequests,
    expiresAtEpochSeconds: rollup.expiresAtEpochSeconds,
  };
}

const dimensionsId = (entry: RollupDimensions): string =>
  JSON.stringify([entry.provider, entry.model, entry.requester, entry.status, entry.kind]);

/** Entries of the same dimension combination summed (expiry: the latest). */
function mergeEntries(entries: Iterable<TagSummaryEntry>): TagSummaryEntry[] {
  const merged = new Map<string, TagSummaryEntry>();
  for (const entry of entries) {
    const id = dimensionsId(entry);
    const previous = merged.get(id);
    merged.set(
      id,
      previous === undefined
        ? entry
        : {
            ...previous,
            ...addTagTotals(previous, entry),
            expiresAtEpochSeconds: Math.max(
              previous.expiresAtEpochSeconds,
              entry.expiresAtEpochSeconds,
            ),
          },
    );
  }
  return [...merged.values()];
}

/**
 * The summary of one tag key's rollups of one bucket (all of them, as the seal job has them):
 * values ranked by {@link compareByCost}, the first `keep` by name, the rest folded.
 */
export function summarizeTagBucket(
  bucket: {
    readonly accountId: string;
    readonly tagKey: string;
    readonly granularity: Granularity;
    readonly bucketStart: string;
  },
  rollups: readonly TagRollup[],
  keep: number = TAG_SUMMARY_VALUES,
): TagSummary {
  const byValue = new Map<string, TagRollup[]>();
  for (const rollup of rollups) {
    const group = byValue.get(rollup.tagValue);
    if (group === undefined) byValue.set(rollup.tagValue, [rollup]);
    else group.push(rollup);
  }
  const ranked = [...byValue]
    .map(([value, group]) => ({
      value,
      entries: group.map(entryOf),
      totals: group.reduce<TagTotals>((sum, rollup) => addTagTotals(sum, rollup), EMPTY_TAG_TOTALS),
    }))
    .sort(compareByCost);
  const kept = ranked.slice(0, keep);
  const folded = ranked.slice(keep);
  return {
    ...bucket,
    values: kept.map(({ value, entries }) => ({ value, entries })),
    rest: mergeEntries(folded.flatMap(({ entries }) => entries)),
    foldedValues: folded.length,
  };
}
