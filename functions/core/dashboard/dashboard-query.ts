import { accountDisplayMoney, type DisplayMoneyDeps } from '../currency/display-money.ts';
import { InvalidRequestError } from '../errors.ts';
import { parseTagFilter, recordMatches, toLogFilter } from '../logs/log-query.ts';
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
  /** `<key>:<value>` tag filters, all of one key (values OR). */
  readonly tag?: readonly string[] | undefined;
}

export interface DashboardServiceDeps extends DisplayMoneyDeps {
  /**
   * Rollups (hourly, daily, month packs) for every figure, tag rollups under a tag filter and
   * for the "By tag" view, error copies for the recent errors.
   */
  readonly rollups: Pick<
    RollupStore,
    | 'query'
    | 'queryMonthPacks'
    | 'recentErrors'
    | 'queryTagValues'
    | 'queryTagHours'
    | 'queryTagSummaries'
    | 'listTagKeys'
  >;
  readonly clock: Clock;
}

/**
 * Predicate over raw records (and rollup dimensions, which they share): the Logs filter rules,
 * so the Dashboard and Logs agree on what a filter selects.
 */
export function matcher(query: DashboardQueryInput) {
  const filter = toLogFilter(query);
  return (item: Parameters<typeof recordMatches>[1]): boolean => recordMatches(filter, item);
}

/**
 * The same predicate without the tag filter, for rollups: under a tag filter they are the tag
 * rollups of the filter's values, selected by the read itself.
 */
export function rollupMatcher(query: DashboardQueryInput) {
  return matcher({ ...query, tag: [] });
}

/** A Dashboard tag filter: one key and the values it accepts. */
export interface DashboardTagFilter {
  readonly key: string;
  readonly values: readonly string[];
}

/**
 * The query's tag filter; undefined without one. Rollups count one tag key per item, so the
 * Dashboard filters by one key at a time (its values OR); Logs, which read raw records, take any.
 * @throws InvalidRequestError when the filter names two keys.
 */
export function dashboardTagFilter(query: DashboardQueryInput): DashboardTagFilter | undefined {
  const byKey = Object.entries(parseTagFilter(query.tag ?? []));
  if (byKey.length > 1) {
    throw new InvalidRequestError(
      `The Dashboard filters by one tag key at a time (got ${byKey.map(([key]) => key).join(', ')}); several values of one key are fine, and Logs take several keys.`,
    );
  }
  const [first] = byKey;
  return first === undefined ? undefined : { key: first[0], values: first[1] };
}

/** The query's range, resolved at `nowMs`. @throws InvalidRequestError for a bad custom range */
export function resolveDashboardRange(query: DashboardQueryInput, nowMs: number): ResolvedRange {
  return resolveRange(
    query.range,
    nowMs,
    query.from !== undefined && query.to !== undefined
      ? { fromMs: Date.parse(query.from), toMs: Date.parse(query.to) }
      : undefined,
  );
}

/**
 * The shared read of every Dashboard use case: resolves the range, then reads the rollups of the
 * range and of the previous period (the usage rollups, or under a tag filter the tag rollups of
 * its values, one daily read per value) and the account's display money in parallel.
 */
export async function loadDashboardView(
  deps: DashboardServiceDeps,
  accountId: string,
  query: DashboardQueryInput,
): Promise<DashboardView> {
  const range = resolveDashboardRange(query, deps.clock.nowMs());
  const tagFilter = dashboardTagFilter(query);
  const [displayMoney, rollups] = await Promise.all([
    accountDisplayMoney(deps, accountId),
    tagFilter === undefined
      ? readRollups(deps, accountId, range)
      : deps.rollups.queryTagValues(
          accountId,
          tagFilter.key,
          tagFilter.values,
          range.granularity,
          range.previousFromMs,
          range.toMs,
        ),
  ]);
  return new DashboardView({ range, rollups, accept: rollupMatcher(query), displayMoney });
}

/**
 * Without a tag filter. Hourly ranges read their hourly items (one Query); daily ranges read the month packs, plus the
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
