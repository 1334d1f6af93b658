import type { RollupSealStore } from '../ports/rollup-seal-store.ts';
import type { RollupStore } from '../ports/rollup-store.ts';
import { bucketStartMs, HOUR_MS } from './buckets.ts';
import {
  type MonthPacks,
  monthStartMs,
  nextMonthStartMs,
  type PackFamily,
  packedPart,
  repackDay,
  uncoveredSpans,
  unpackDays,
} from './month-packs.ts';
import { dimensionKey, type Rollup } from './rollup.ts';

/** The usage rollups as a packed family: keyed by dimension combination. */
export const ROLLUP_PACK_FAMILY: PackFamily<Rollup> = {
  keyOf: dimensionKey,
  canonical: (rollup) =>
    JSON.stringify([
      dimensionKey(rollup),
      rollup.requests,
      rollup.errors,
      rollup.metrionErrors,
      rollup.inputTokens,
      rollup.outputTokens,
      rollup.cacheReadTokens,
      rollup.cacheWriteTokens,
      rollup.costPicoUsd.toString(),
      rollup.unpricedRequests,
      rollup.latencyMsSum,
      [...rollup.latencyHistogram].sort(([a], [b]) => a - b),
      rollup.timeToFirstTokenMsSum,
      rollup.timeToFirstTokenCount,
      rollup.streamedRequests,
      rollup.cachedRequests,
      rollup.estimatedRequests,
      rollup.expiresAtEpochSeconds,
      rollup.earliestExpiresAtEpochSeconds ?? null,
      rollup.tierUnpricedRequests,
    ]),
};

const NO_PACKS: MonthPacks<Rollup> = { packs: [], manifests: [] };

/** Day-item Queries in flight at most for the days packs do not cover; more spans are joined. */
const MAX_DAY_QUERIES = 8;
/**
 * A closed day is usually packed this soon after it ends (its last hour is sealed 20 minutes
 * after it ends, by a run every 5 minutes): until then its daily items are read with today's.
 */
const PACKED_WITHIN_MS = 2 * HOUR_MS;
/**
 * An edge month is read from its packs when the range holds at least this many of its days: a
 * day slice is about a third of a daily item's bytes and a pack holds up to 31 of them, so this
 * reads at most about 1.5x the bytes of the daily items it replaces, in one item instead of 7.
 */
const MIN_DAYS_FOR_PACKS = 7;

/**
 * The account's unexpired daily rollups whose day starts in `[fromMs, toMs)` (whole days), the
 * same items `query(accountId, 'day', ...)` gives once they are sealed: packed days from the
 * month packs (about months x dimension combinations items), every other day (today, yesterday
 * until it is packed, days a pack write left inconsistent, days without traffic, the days of an
 * edge month the range holds few of) from its daily items. Today's daily items (and yesterday's, in the first hours of a day) are read alongside
 * the packs, so a usual read is one round trip; other uncovered days cost a second.
 */
export async function readDailyRollups(
  store: Pick<RollupStore, 'query' | 'queryMonthPacks'>,
  accountId: string,
  span: { readonly fromMs: number; readonly toMs: number; readonly nowMs: number },
): Promise<Rollup[]> {
  const { fromMs, toMs, nowMs } = span;
  const recentFromMs = Math.min(
    toMs,
    Math.max(fromMs, bucketStartMs(nowMs - PACKED_WITHIN_MS, 'day')),
  );
  const part = packedPart(fromMs, toMs, MIN_DAYS_FOR_PACKS);
  const [packed, recent] = await Promise.all([
    part === undefined ? NO_PACKS : store.queryMonthPacks(accountId, part.fromMs, part.toMs),
    recentFromMs < toMs ? store.query(accountId, 'day', recentFromMs, toMs) : [],
  ]);
  const { items, coveredDays } =
    part === undefined
      ? { items: [], coveredDays: new Set<number>() }
      : unpackDays(packed, part.fromMs, part.toMs, Math.floor(nowMs / 1000));
  const older = await Promise.all(
    joinSpans(uncoveredSpans(fromMs, recentFromMs, coveredDays), MAX_DAY_QUERIES).map(
      ([from, to]) => store.query(accountId, 'day', from, to),
    ),
  );
  const uncovered = [...recent, ...older.flat()].filter(
    (rollup) => !coveredDays.has(Date.parse(rollup.bucketStart)),
  );
  return [...items, ...uncovered];
}

/** At most `max` spans: the two with the smallest gap between them are joined first. */
function joinSpans(spans: readonly [number, number][], max: number): [number, number][] {
  const joined = spans.map(([from, to]): [number, number] => [from, to]);
  while (joined.length > max) {
    let best = 1;
    for (let i = 2; i < joined.length; i += 1) {
      const gap = (joined[i]?.[0] ?? 0) - (joined[i - 1]?.[1] ?? 0);
      if (gap < (joined[best]?.[0] ?? 0) - (joined[best - 1]?.[1] ?? 0)) best = i;
    }
    const [, to] = joined.splice(best, 1)[0] as [number, number];
    (joined[best - 1] as [number, number])[1] = to;
  }
  return joined;
}

/**
 * The seal job's last step for a closed day whose hourly items are all sealed: its daily
 * rollups (`dayRollups`, complete) replace the day's slices in its month's packs.
 */
export async function packSealedDay(
  rollups: Pick<RollupSealStore, 'queryMonthPacks' | 'writeMonthPacks'>,
  accountId: string,
  dayMs: number,
  dayRollups: readonly Rollup[],
): Promise<void> {
  const monthMs = monthStartMs(dayMs);
  const current = await rollups.queryMonthPacks(accountId, monthMs, nextMonthStartMs(monthMs));
  await rollups.writeMonthPacks(
    repackDay(ROLLUP_PACK_FAMILY, current, { accountId, dayMs }, dayRollups),
  );
}
