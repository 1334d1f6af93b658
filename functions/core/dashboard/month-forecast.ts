import { FORECAST_MIN_DAYS, forecastMonthEnd, forecastReadSpan } from '../alerts/forecast.ts';
import type { Rollup } from '../rollups/rollup.ts';
import { readDailyRollups } from '../rollups/rollup-packs.ts';
import type { DashboardServiceDeps } from './dashboard-query.ts';

/**
 * The Costs tab's projection of the current UTC month, for the Dashboard's filters: the forecast
 * rules' own `forecastMonthEnd` over the same daily rollups (month packs for sealed days), so the
 * page and an alert never disagree. Money in the display currency.
 */
export async function monthForecast(
  deps: DashboardServiceDeps,
  accountId: string,
  accept: (rollup: Rollup) => boolean,
  money: (picoUsd: bigint) => string,
) {
  const nowMs = deps.clock.nowMs();
  const [account, rollups] = await Promise.all([
    deps.accounts.getAccount(accountId),
    readDailyRollups(deps.rollups, accountId, { ...forecastReadSpan(nowMs), nowMs }),
  ]);
  const historyStartMs = account === undefined ? nowMs : Date.parse(account.createdAt);
  const result = forecastMonthEnd(rollups.filter(accept), nowMs, historyStartMs);
  const month = new Date(nowMs).toISOString().slice(0, 7);
  if (result.kind === 'too_little_history') {
    return {
      status: 'too_little_history' as const,
      month,
      paceDays: result.paceDays,
      neededDays: FORECAST_MIN_DAYS,
    };
  }
  const { forecast } = result;
  return {
    status: 'projected' as const,
    month,
    projected: money(forecast.projectedPicoUsd),
    spent: money(forecast.spentPicoUsd),
    exactThrough: new Date(forecast.exactThroughMs).toISOString(),
    dailyPace: money(forecast.paceSpendPicoUsd / BigInt(forecast.paceDays)),
    paceDays: forecast.paceDays,
  };
}
