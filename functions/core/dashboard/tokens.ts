import { type Rollup, sumTotals } from '../rollups/rollup.ts';
import {
  type DashboardQueryInput,
  type DashboardServiceDeps,
  loadDashboardView,
} from './dashboard-query.ts';
import { changePct, groupByModel, tokenSeries, totalTokens } from './sums.ts';

/** Tokens tab: series by kind, totals with change, and by model. */
export async function tokens(
  deps: DashboardServiceDeps,
  accountId: string,
  query: DashboardQueryInput,
) {
  const view = await loadDashboardView(deps, accountId, query);
  const current = sumTotals(view.current);
  const previousTotal = totalTokens(sumTotals(view.previous));
  return {
    range: view.rangeDto(),
    series: tokenSeries(view.perBucket(view.current)),
    totals: {
      input: current.inputTokens,
      output: current.outputTokens,
      cacheRead: current.cacheReadTokens,
      cacheWrite: current.cacheWriteTokens,
      total: totalTokens(current),
      previousTotal,
      changePct: changePct(totalTokens(current), previousTotal),
    },
    byModel: tokensByModel(view.current),
  };
}

function tokensByModel(rollups: readonly Rollup[]) {
  return groupByModel(rollups)
    .map((group) => {
      const counts = sumTotals(group);
      return {
        provider: (group[0] as Rollup).provider,
        model: (group[0] as Rollup).model,
        input: counts.inputTokens,
        output: counts.outputTokens,
        cacheRead: counts.cacheReadTokens,
        cacheWrite: counts.cacheWriteTokens,
        total: totalTokens(counts),
      };
    })
    .sort((a, b) => b.total - a.total || a.model.localeCompare(b.model));
}
