import { accountDisplayMoney } from '../currency/display-money.ts';
import { sumTotals } from '../rollups/rollup.ts';
import { costStat, moneyByModel, providerShares } from './breakdowns.ts';
import {
  type DashboardQueryInput,
  type DashboardServiceDeps,
  loadDashboardView,
  matcher,
} from './dashboard-query.ts';
import type { DashboardView } from './dashboard-view.ts';
import { monthForecast } from './month-forecast.ts';
import { groupBy } from './sums.ts';

/** Costs tab: totals and series by model, provider and requester; the month-end projection. */
export async function costs(
  deps: DashboardServiceDeps,
  accountId: string,
  query: DashboardQueryInput,
) {
  const [view, forecast] = await Promise.all([
    loadDashboardView(deps, accountId, query),
    accountDisplayMoney(deps, accountId).then((display) =>
      monthForecast(deps, accountId, matcher(query), (picos) => display.convert(picos)),
    ),
  ]);
  return {
    range: view.rangeDto(),
    fx: view.displayMoney.fx,
    cost: costStat(view),
    byModel: moneyByModel(view),
    byProvider: providerShares(view).map(({ provider, cost, share }) => ({
      provider,
      total: cost,
      share,
    })),
    byRequester: costByRequester(view),
    monthForecast: forecast,
  };
}

/** Cost per requester (null: none), largest first, then by request count. */
function costByRequester(view: DashboardView) {
  return [...groupBy(view.current, (r) => r.requester)]
    .map(([requester, group]) => {
      const counts = sumTotals(group);
      return { requester, picos: counts.costPicoUsd, requests: counts.requests };
    })
    .sort((a, b) => (a.picos === b.picos ? b.requests - a.requests : a.picos > b.picos ? -1 : 1))
    .map(({ requester, picos, requests }) => ({
      requester,
      total: view.money(picos),
      requests,
    }));
}
