import { type Rollup, type RollupTotals, sumTotals } from '../rollups/rollup.ts';
import { USAGE_KINDS } from '../usage/usage-record.ts';
import { costStat, errorsByStatus, moneyByModel, providerShares } from './breakdowns.ts';
import {
  type DashboardQueryInput,
  type DashboardServiceDeps,
  loadDashboardView,
} from './dashboard-query.ts';
import type { DashboardView } from './dashboard-view.ts';
import { avgOrNull, changePct, groupByModel, tokenSeries, totalTokens } from './sums.ts';

/** Overview tab: requests, errors, tokens, cost by model, providers, requesters, latency. */
export async function overview(
  deps: DashboardServiceDeps,
  accountId: string,
  query: DashboardQueryInput,
) {
  const view = await loadDashboardView(deps, accountId, query);
  const buckets = view.perBucket(view.current);
  const current = sumTotals(view.current);
  const previous = sumTotals(view.previous);
  const { series: costSeries, ...costRest } = costStat(view);
  return {
    range: view.rangeDto(),
    fx: view.displayMoney.fx,
    dimensions: dimensionsSeen(view.unfiltered),
    requests: {
      total: current.requests,
      previousTotal: previous.requests,
      changePct: changePct(current.requests, previous.requests),
      success: buckets.map((b) => b.requests - b.errors),
      errors: buckets.map((b) => b.errors),
    },
    requestsByModel: requestsByModel(view.current),
    errors: {
      total: current.errors,
      previousTotal: previous.errors,
      changePct: changePct(current.errors, previous.errors),
      rate: current.requests === 0 ? 0 : current.errors / current.requests,
      byStatus: errorsByStatus(view).map(({ status, total }) => ({ status, count: total })),
    },
    tokens: { ...tokenSeries(buckets), total: totalTokens(current) },
    costByModel: moneyByModel(view),
    topProviders: providerShares(view),
    cost: { ...costRest, series: costSeries },
    estimated: {
      count: current.estimatedRequests,
      share: current.requests === 0 ? 0 : current.estimatedRequests / current.requests,
    },
    uniqueRequesters: requestersStat(view),
    avgLatencyMs: averageLatency(buckets, current, previous),
  };
}

/** Filter values present in the range, before the filters apply (for the filter panel). */
function dimensionsSeen(rollups: readonly Rollup[]) {
  return {
    providers: [...new Set(rollups.map((r) => r.provider))].sort(),
    models: [...new Set(rollups.map((r) => r.model))].sort(),
    requesters: [
      ...new Set(rollups.flatMap((r) => (r.requester === null ? [] : [r.requester]))),
    ].sort(),
    statuses: [...new Set(rollups.map((r) => r.status))].sort((a, b) => a - b),
    // In catalogue order (chat, responses, embeddings), not alphabetical.
    kinds: USAGE_KINDS.filter((kind) => rollups.some((r) => r.kind === kind)),
  };
}

function requestsByModel(rollups: readonly Rollup[]) {
  return groupByModel(rollups)
    .map((group) => ({
      provider: (group[0] as Rollup).provider,
      model: (group[0] as Rollup).model,
      requests: sumTotals(group).requests,
    }))
    .sort((a, b) => b.requests - a.requests || a.model.localeCompare(b.model));
}

function requestersStat(view: DashboardView) {
  const total = view.uniqueRequesters(view.current);
  const previousTotal = view.uniqueRequesters(view.previous);
  return {
    total,
    previousTotal,
    changePct: changePct(total, previousTotal),
    series: view.requesterSeries(),
  };
}

function averageLatency(
  buckets: readonly RollupTotals[],
  current: RollupTotals,
  previous: RollupTotals,
) {
  const value = avgOrNull(current.latencyMsSum, current.requests);
  const previousValue = avgOrNull(previous.latencyMsSum, previous.requests);
  return {
    value,
    previous: previousValue,
    changePct: value === null || previousValue === null ? null : changePct(value, previousValue),
    series: buckets.map((b) => avgOrNull(b.latencyMsSum, b.requests)),
  };
}
