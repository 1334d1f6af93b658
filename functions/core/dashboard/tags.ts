import { accountDisplayMoney, type DisplayMoney } from '../currency/display-money.ts';
import { exactUsd } from '../currency/money-text.ts';
import { InvalidRequestError } from '../errors.ts';
import { recordMatches, toLogFilter } from '../logs/log-query.ts';
import { bucketIso, DAY_MS, HOUR_MS, type ResolvedRange } from '../rollups/buckets.ts';
import type { TagRollup } from '../rollups/tag-rollup.ts';
import {
  addTagTotals,
  compareByCost,
  EMPTY_TAG_TOTALS,
  subtractTagTotals,
  summarizeTagBucket,
  type TagSummary,
  type TagSummaryEntry,
  type TagTotals,
} from '../rollups/tag-summary.ts';
import {
  type DashboardQueryInput,
  type DashboardServiceDeps,
  dashboardTagFilter,
  resolveDashboardRange,
} from './dashboard-query.ts';
import { rangeDtoOf } from './dashboard-view.ts';

/** Values the "By tag" view names; the rest of the range's usage of the key is "other". */
export const TAG_BREAKDOWN_VALUES = 20;

/** A Dashboard query plus the tag key to break down (default: the key seen most recently). */
export interface TagBreakdownQuery extends DashboardQueryInput {
  readonly key?: string | undefined;
}

/**
 * The "By tag" view: requests, tokens and cost per value of one tag key over the range, the
 * {@link TAG_BREAKDOWN_VALUES} values of highest cost by name and the rest as "other", with the
 * Dashboard's filters. Reads are bounded whatever the key's cardinality (docs/decisions/
 * tag-rollups.md): the summaries of the range's closed days (or hours), and the hourly items of the
 * hours no summary covers yet. A named value that a summary folded into its remainder in some
 * bucket is re-read from its daily items on a daily range (so it is exact); on an hourly range it
 * is flagged `complete: false` (its figure is at least what is shown; the tag filter on the other
 * tabs reads its exact total).
 * @throws InvalidRequestError for a tag filter on another key, or a bad range.
 */
export async function tagBreakdown(
  deps: DashboardServiceDeps,
  accountId: string,
  query: TagBreakdownQuery,
) {
  const nowMs = deps.clock.nowMs();
  const range = resolveDashboardRange(query, nowMs);
  const tagFilter = dashboardTagFilter(query);
  const keys = await deps.rollups.listTagKeys(accountId);
  const key = query.key ?? tagFilter?.key ?? keys[0]?.key;
  if (tagFilter !== undefined && tagFilter.key !== key) {
    throw new InvalidRequestError(
      `The "By tag" view of ${key} can filter by ${key} values only, not by tag ${tagFilter.key}.`,
    );
  }
  const [displayMoney, summaries] = await Promise.all([
    accountDisplayMoney(deps, accountId),
    key === undefined ? [] : readTagBuckets(deps, accountId, key, range),
  ]);
  const filter = toLogFilter({ ...query, tag: [] });
  const nowSeconds = Math.floor(nowMs / 1000);
  const accept = (entry: TagSummaryEntry) =>
    entry.expiresAtEpochSeconds > nowSeconds && recordMatches(filter, entry);
  const { named, other, total } = await rankValues(
    deps,
    { accountId, key, summaries, accept },
    range.granularity,
    tagFilter?.values,
  );
  const share = (totals: TagTotals) => costShare(totals.costPicoUsd, total.costPicoUsd);
  return {
    range: rangeDtoOf(range),
    fx: displayMoney.fx,
    key: key ?? null,
    keys: keys.map((seen) => seen.key),
    values: named.map(({ value, totals, complete }) => ({
      value,
      ...totalsDto(totals, displayMoney),
      share: share(totals),
      complete,
    })),
    other: { ...totalsDto(other, displayMoney), share: share(other) },
    total: totalsDto(total, displayMoney),
  };
}

/**
 * The named values (exact on a daily range), "other" and the total. Without a filter on the key's
 * values the remainders belong to the total, and what an exact re-read moves into a named value
 * comes out of them; with one, remainders are never counted (they may hold other values).
 */
async function rankValues(
  deps: DashboardServiceDeps,
  read: TagRead & { readonly key: string | undefined },
  granularity: ResolvedRange['granularity'],
  onlyValues: readonly string[] | undefined,
) {
  const merged = mergeSummaries(read.summaries, read.accept, onlyValues);
  const ranked = [...merged.byValue]
    .map(([value, totals]) => ({ value, totals }))
    .sort(compareByCost);
  const top = ranked.slice(0, TAG_BREAKDOWN_VALUES);
  const { key } = read;
  const named =
    key !== undefined && granularity === 'day'
      ? await exactDailyTotals(deps, { ...read, key }, top, merged.partial)
      : top.map((entry) => ({ ...entry, complete: !foldedIn(merged.partial, entry.value) }));
  named.sort(compareByCost);
  const namedTotals = sumTotals(named.map(({ totals }) => totals));
  const unnamed = sumTotals(ranked.slice(TAG_BREAKDOWN_VALUES).map(({ totals }) => totals));
  if (onlyValues !== undefined) {
    return { named, other: unnamed, total: addTagTotals(unnamed, namedTotals) };
  }
  const total = addTagTotals(merged.rest, sumTotals(ranked.map(({ totals }) => totals)));
  return { named, other: subtractTagTotals(total, namedTotals), total };
}

/** A part of the total cost, 0..1 to 6 places, from the exact integers (0 without cost). */
function costShare(part: bigint, total: bigint): number {
  return total === 0n ? 0 : Number((part * 1_000_000n) / total) / 1_000_000;
}

/** What the view shows of some totals: counts, exact USD and the converted cost. */
function totalsDto(totals: TagTotals, money: DisplayMoney) {
  return {
    requests: totals.requests,
    errors: totals.errors,
    inputTokens: totals.inputTokens,
    outputTokens: totals.outputTokens,
    cacheReadTokens: totals.cacheReadTokens,
    cacheWriteTokens: totals.cacheWriteTokens,
    totalTokens:
      totals.inputTokens + totals.outputTokens + totals.cacheReadTokens + totals.cacheWriteTokens,
    costUsd: exactUsd(totals.costPicoUsd) ?? '0',
    cost: money.convert(totals.costPicoUsd),
    unpricedRequests: totals.unpricedRequests,
  };
}

function sumTotals(all: Iterable<TagTotals>): TagTotals {
  let sum = EMPTY_TAG_TOTALS;
  for (const totals of all) sum = addTagTotals(sum, totals);
  return sum;
}

/**
 * Per value, the accepted entries of every bucket summed; the remainders summed apart. A bucket
 * whose remainder holds accepted usage is `partial`: a value it did not keep by name may have
 * usage hidden in that remainder. Under a filter on the key's own values
 * only those values are counted, and remainders are left out (they may hold other values).
 */
function mergeSummaries(
  summaries: readonly TagSummary[],
  accept: (entry: TagSummaryEntry) => boolean,
  onlyValues: readonly string[] | undefined,
) {
  const byValue = new Map<string, TagTotals>();
  let rest = EMPTY_TAG_TOTALS;
  const partial: PartialBucket[] = [];
  for (const summary of summaries) {
    for (const { value, entries } of summary.values) {
      if (onlyValues !== undefined && !onlyValues.includes(value)) continue;
      const accepted = entries.filter(accept);
      if (accepted.length === 0) continue;
      byValue.set(value, addTagTotals(byValue.get(value) ?? EMPTY_TAG_TOTALS, sumTotals(accepted)));
    }
    const folded = summary.rest.filter(accept);
    if (folded.length === 0) continue;
    partial.push({
      bucketStart: summary.bucketStart,
      kept: new Set(summary.values.map(({ value }) => value)),
    });
    if (onlyValues === undefined) rest = addTagTotals(rest, sumTotals(folded));
  }
  return { byValue, rest, partial };
}

/** One key's summaries of the range and the filter their entries pass. */
interface TagRead {
  readonly accountId: string;
  readonly summaries: readonly TagSummary[];
  readonly accept: (entry: TagSummaryEntry) => boolean;
}

/** A bucket whose remainder holds accepted usage, and the values it kept by name. */
interface PartialBucket {
  readonly bucketStart: string;
  readonly kept: ReadonlySet<string>;
}

const foldedIn = (partial: readonly PartialBucket[], value: string) =>
  partial.some((bucket) => !bucket.kept.has(value));

const dayOf = (bucketStart: string) =>
  bucketIso(Math.floor(Date.parse(bucketStart) / DAY_MS) * DAY_MS);

/**
 * The named values exact on a daily range: a value some bucket folded into its remainder is
 * re-read from its daily items (the tag filter's read) for the days holding such a bucket, one
 * Query per value from the first of those days to the last, and those days' summary figures give
 * way to them. At most {@link TAG_BREAKDOWN_VALUES} Queries, whatever the key's cardinality.
 */
async function exactDailyTotals(
  deps: DashboardServiceDeps,
  read: TagRead & { readonly key: string },
  named: readonly { readonly value: string; readonly totals: TagTotals }[],
  partial: readonly PartialBucket[],
) {
  const { accountId, key, summaries, accept } = read;
  return Promise.all(
    named.map(async ({ value, totals }) => {
      const days = new Set(
        partial.filter(({ kept }) => !kept.has(value)).map(({ bucketStart }) => dayOf(bucketStart)),
      );
      if (days.size === 0) return { value, totals, complete: true };
      const starts = [...days].map((day) => Date.parse(day));
      const daily = await deps.rollups.queryTagValues(
        accountId,
        key,
        [value],
        'day',
        Math.min(...starts),
        Math.max(...starts) + DAY_MS,
      );
      const elsewhere = summaries
        .filter((summary) => !days.has(dayOf(summary.bucketStart)))
        .flatMap((summary) => summary.values.filter((kept) => kept.value === value))
        .flatMap(({ entries }) => entries.filter(accept));
      const reread = daily.filter((rollup) => days.has(rollup.bucketStart) && accept(rollup));
      return { value, totals: sumTotals([...elsewhere, ...reread]), complete: true };
    }),
  );
}

/**
 * One key's buckets of the range as summaries: closed days from their day summaries; the other
 * days (today, days no summary covers) as hours, each from its hour summary or, for hours not
 * sealed yet, from its hourly items (every value: a live hour is bounded by that hour's traffic).
 * Missing buckets are read in spans, so a sparse key costs a few Queries, not one per day.
 */
async function readTagBuckets(
  deps: DashboardServiceDeps,
  accountId: string,
  key: string,
  range: ResolvedRange,
): Promise<TagSummary[]> {
  if (range.granularity === 'hour')
    return readHours(deps, accountId, key, range.fromMs, range.toMs);
  const days = await deps.rollups.queryTagSummaries(
    accountId,
    key,
    'day',
    range.fromMs,
    range.toMs,
  );
  const gaps = missingSpans(range.fromMs, range.toMs, DAY_MS, days);
  const hours = await Promise.all(
    gaps.map(([fromMs, toMs]) => readHours(deps, accountId, key, fromMs, toMs)),
  );
  return [...days, ...hours.flat()];
}

async function readHours(
  deps: DashboardServiceDeps,
  accountId: string,
  key: string,
  fromMs: number,
  toMs: number,
): Promise<TagSummary[]> {
  const sealed = await deps.rollups.queryTagSummaries(accountId, key, 'hour', fromMs, toMs);
  const gaps = missingSpans(fromMs, toMs, HOUR_MS, sealed);
  const live = await Promise.all(
    gaps.map(([from, to]) => deps.rollups.queryTagHours(accountId, key, from, to)),
  );
  return [...sealed, ...liveSummaries(accountId, key, live.flat())];
}

/** Unsealed hours as summaries that keep every value by name. */
function liveSummaries(accountId: string, key: string, rollups: readonly TagRollup[]) {
  const byHour = new Map<string, TagRollup[]>();
  for (const rollup of rollups) {
    byHour.set(rollup.bucketStart, [...(byHour.get(rollup.bucketStart) ?? []), rollup]);
  }
  return [...byHour].map(([bucketStart, hour]) =>
    summarizeTagBucket(
      { accountId, tagKey: key, granularity: 'hour', bucketStart },
      hour,
      Number.POSITIVE_INFINITY,
    ),
  );
}

/** The spans of `[fromMs, toMs)` whose buckets no summary covers, consecutive ones joined. */
function missingSpans(
  fromMs: number,
  toMs: number,
  sizeMs: number,
  covered: readonly TagSummary[],
): [number, number][] {
  const have = new Set(covered.map((summary) => summary.bucketStart));
  const spans: [number, number][] = [];
  for (let start = fromMs; start < toMs; start += sizeMs) {
    if (have.has(bucketIso(start))) continue;
    const last = spans.at(-1);
    if (last !== undefined && last[1] === start) last[1] = start + sizeMs;
    else spans.push([start, start + sizeMs]);
  }
  return spans;
}

/** The "By tag" answer (the shape of `tagBreakdownSchema`). */
export type TagBreakdownView = Awaited<ReturnType<typeof tagBreakdown>>;
