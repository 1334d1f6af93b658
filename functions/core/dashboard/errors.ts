import { sumTotals } from '../rollups/rollup.ts';
import type { UsageRecord } from '../usage/usage-record.ts';
import { errorsByStatus } from './breakdowns.ts';
import {
  type DashboardQueryInput,
  type DashboardServiceDeps,
  loadDashboardView,
  matcher,
} from './dashboard-query.ts';
import { changePct } from './sums.ts';

const RECENT_ERRORS = 50;

/** Errors tab: errors over time, by status, and the 50 most recent matching errors. */
export async function errors(
  deps: DashboardServiceDeps,
  accountId: string,
  query: DashboardQueryInput,
) {
  const view = await loadDashboardView(deps, accountId, query);
  const current = sumTotals(view.current);
  const previous = sumTotals(view.previous);
  const recent = await deps.rollups.recentErrors(
    accountId,
    view.range.fromMs,
    view.range.toMs,
    matcher(query),
    RECENT_ERRORS,
  );
  return {
    range: view.rangeDto(),
    errors: {
      total: current.errors,
      previousTotal: previous.errors,
      changePct: changePct(current.errors, previous.errors),
      rate: current.requests === 0 ? 0 : current.errors / current.requests,
      series: view.perBucket(view.current).map((b) => b.errors),
    },
    byStatus: errorsByStatus(view),
    recent: recent.map(recentErrorDto),
  };
}

function recentErrorDto(record: UsageRecord) {
  return {
    requestId: record.requestId,
    at: record.at,
    provider: record.provider,
    model: record.model,
    requester: record.requester ?? null,
    status: record.status,
    errorSource: record.errorSource ?? null,
    errorMessage: record.errorMessage ?? null,
    latencyMs: record.latencyMs,
  };
}
