import { costs } from './costs.ts';
import type { DashboardQueryInput, DashboardServiceDeps } from './dashboard-query.ts';
import { errors } from './errors.ts';
import { latency } from './latency.ts';
import { overview } from './overview.ts';
import { type TagBreakdownQuery, tagBreakdown } from './tags.ts';
import { tokens } from './tokens.ts';

export type { DashboardQueryInput, DashboardServiceDeps } from './dashboard-query.ts';

/**
 * The Dashboard's read model, one module per tab: every answer is assembled from the account's
 * hourly or daily rollups of the range and of the previous period (`loadDashboardView`), so its
 * cost grows with the number of buckets and dimension combinations, never with the number of
 * requests. Money is converted from exact picodollar sums with the stored (or shipped) rate.
 */
export function createDashboardService(deps: DashboardServiceDeps) {
  return {
    overview: (accountId: string, query: DashboardQueryInput) => overview(deps, accountId, query),
    costs: (accountId: string, query: DashboardQueryInput) => costs(deps, accountId, query),
    tokens: (accountId: string, query: DashboardQueryInput) => tokens(deps, accountId, query),
    latency: (accountId: string, query: DashboardQueryInput) => latency(deps, accountId, query),
    errors: (accountId: string, query: DashboardQueryInput) => errors(deps, accountId, query),
    tags: (accountId: string, query: TagBreakdownQuery) => tagBreakdown(deps, accountId, query),
  };
}

/** The Dashboard read model's use cases. */
export type DashboardService = ReturnType<typeof createDashboardService>;
