import { isErrorStatus, type Rollup, sumTotals } from '../rollups/rollup.ts';
import type { DashboardView } from './dashboard-view.ts';
import { bigChangePct, groupBy, groupByModel } from './sums.ts';

/** Cost per provider and model, largest first, each with its series. */
export function moneyByModel(view: DashboardView) {
  return groupByModel(view.current)
    .map((group) => {
      const first = group[0] as Rollup;
      const total = sumTotals(group).costPicoUsd;
      return {
        provider: first.provider,
        model: first.model,
        totalPicoUsd: total,
        total: view.money(total),
        series: view.perBucket(group).map((counts) => view.money(counts.costPicoUsd)),
      };
    })
    .sort((a, b) =>
      a.totalPicoUsd === b.totalPicoUsd ? 0 : a.totalPicoUsd > b.totalPicoUsd ? -1 : 1,
    )
    .map(({ totalPicoUsd: _total, ...rest }) => rest);
}

/** Each provider's cost and its share of the range's cost (exact ratio, 6 decimals). */
export function providerShares(view: DashboardView) {
  const total = sumTotals(view.current).costPicoUsd;
  return [...groupBy(view.current, (r) => r.provider)]
    .map(([provider, group]) => {
      const cost = sumTotals(group).costPicoUsd;
      return {
        provider,
        costPicoUsd: cost,
        share: total === 0n ? 0 : Number((cost * 1_000_000n) / total) / 1_000_000,
      };
    })
    .sort((a, b) => b.share - a.share || a.provider.localeCompare(b.provider))
    .map(({ provider, costPicoUsd, share }) => ({
      provider,
      cost: view.money(costPicoUsd),
      share,
    }));
}

/** The models of the range's unpriced requests, most requests first. */
function unpricedModels(view: DashboardView) {
  return groupByModel(view.current)
    .map((group) => ({
      provider: (group[0] as Rollup).provider,
      model: (group[0] as Rollup).model,
      requests: sumTotals(group).unpricedRequests,
    }))
    .filter((entry) => entry.requests > 0)
    .sort((a, b) => b.requests - a.requests || a.model.localeCompare(b.model));
}

/**
 * The range's cost with its change and series, and what it leaves out: unpriced requests and
 * their models, and requests priced at the standard rate for want of their tier's price.
 */
export function costStat(view: DashboardView) {
  const current = sumTotals(view.current);
  const previous = sumTotals(view.previous).costPicoUsd;
  return {
    total: view.money(current.costPicoUsd),
    previousTotal: view.money(previous),
    changePct: bigChangePct(current.costPicoUsd, previous),
    series: view.perBucket(view.current).map((counts) => view.money(counts.costPicoUsd)),
    unpricedRequests: current.unpricedRequests,
    unpricedModels: unpricedModels(view),
    tierUnpricedRequests: current.tierUnpricedRequests,
  };
}

/** Error counts per exact status, most first, each with its series. */
export function errorsByStatus(view: DashboardView) {
  return [
    ...groupBy(
      view.current.filter((r) => isErrorStatus(r.status)),
      (r) => r.status,
    ),
  ]
    .map(([status, group]) => ({
      status,
      total: sumTotals(group).requests,
      series: view.perBucket(group).map((counts) => counts.requests),
    }))
    .sort((a, b) => b.total - a.total || a.status - b.status);
}
