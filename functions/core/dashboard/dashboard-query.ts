import { accountDisplayMoney, type DisplayMoneyDeps } from '../currency/display-money.ts';
import { recordMatches, toLogFilter } from '../logs/log-query.ts';
import type { Clock } from '../ports/clock.ts';
import type { RollupStore } from '../ports/rollup-store.ts';
import { type ResolvedRange, resolveRange } from '../rollups/buckets.ts';
import type { Rollup } from '../rollups/rollup.ts';
import { readDailyRollups } from '../rollups/rollup-packs.ts';
import type { TimeRange } from '../usage/usage-query.ts';
import type { UsageKind } from '../usage/usage-record.ts';
import { DashboardView } from './dashboard-view.ts';

/** A validated dashboard query (the handler parses the query string into this). */
export interface DashboardQueryInput {
  readonly range: TimeRange;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly model: readonly string[];
  readonly provider: readonly string[];
  readonly requester: readonly string[];
  /** Exact statuses (`429`) or classes (`4xx`). */
  readonly status: readonly string[];
  /** Chat, Responses API or embeddings; chat includes rollups written before kinds existed. */
  readonly kind: readonly UsageKind[];
}

export interface DashboardServiceDeps extends DisplayMoneyDeps {
  /** Rollups (hourly, daily, month packs) for every figure, error copies for the recent errors. */
  readonly rollups: Pick<RollupStore, 'query' | 'queryMonthPacks' | 'recentErrors'>;
  readonly clock: Clock;
}

/**
 * Predicate over rollup dimensions (and raw records, which share them): the Logs filter rules, so
 * the Dashboard and Logs agree on what a filter selects.
 */
export function matcher(query: DashboardQueryInput) {
  const filter = toLogFilter(query);
  return (item: Parameters<typeof recordMatches>[1]): boolean => recordMatches(filter, item);
}

/**
 * The shared read of every Dashboard use case: resolves the range, then reads the rollups of the
 * range and of the previous period and the account's display money in parallel.
 */
export async function loadDashboardView(
  deps: DashboardServiceDeps,
  accountId: string,
  query: DashboardQueryInput,
): Promise<DashboardView> {
  const range = resolveRange(
    query.range,
    deps.clock.nowMs(),
    query.from !== undefined && query.to !== undefined
      ? { fromMs: Date.parse(query.from), toMs: Date.parse(query.to) }
      : undefined,
  );
  const [displayMoney, rollups] = await Promise.all([
    accountDisplayMoney(deps, accountId),
    readRollups(deps, accountId, range),
  ]);
  return new DashboardView({ range, rollups, accept: matcher(query), displayMoney });
}

/**
 * Hourly ranges read their hourly items (one Query); daily ranges read the month packs, plus the
 * daily items of the days no pack covers yet (`readDailyRollups`), so a 90-day read grows with
 * months x dimension combinations rather than days x combinations.
 */
function readRollups(
  deps: DashboardServiceDeps,
  accountId: string,
  range: ResolvedRange,
): Promise<Rollup[]> {
  if (range.granularity === 'hour') {
    return deps.rollups.query(accountId, 'hour', range.previousFromMs, range.toMs);
  }
  return readDailyRollups(deps.rollups, accountId, {
    fromMs: range.previousFromMs,
    toMs: range.toMs,
    nowMs: deps.clock.nowMs(),
  });
}
