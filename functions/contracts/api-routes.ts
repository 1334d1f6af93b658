import * as z from 'zod';
import { ALERT_CHANNELS_ROUTES } from './alert-channels-api.ts';
import { ALERTS_ROUTES } from './alerts-api.ts';
import type { ApiRoute } from './api-route.ts';
import { BILLING_ROUTES } from './billing-api.ts';
import { BUDGETS_ROUTES } from './budgets-api.ts';
import { DASHBOARD_ROUTES } from './dashboard-api.ts';
import { LOGS_ROUTES } from './logs-api.ts';
import { SETTINGS_ROUTES } from './settings-api.ts';

/**
 * The dashboard JSON API: one route table with the schemas of each request and response. The
 * dashboard API Lambda validates with these, the local server and CDK route from them, and the
 * frontend's API client is typed by them. Contracts import only zod and core catalogues (the
 * frontend bundles them).
 */

/** Every dashboard API error: `{ "error": { "code", "message" } }`. */
export const apiErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

export type { ApiRoute } from './api-route.ts';

export const API_ROUTES = {
  ...SETTINGS_ROUTES,
  ...DASHBOARD_ROUTES,
  ...LOGS_ROUTES,
  ...ALERTS_ROUTES,
  ...BUDGETS_ROUTES,
  ...ALERT_CHANNELS_ROUTES,
  ...BILLING_ROUTES,
} as const satisfies Record<string, ApiRoute>;

export type ApiRouteName = keyof typeof API_ROUTES;

/** The parsed request body of a route; `undefined` for routes that take none. */
export type ApiRequest<K extends ApiRouteName> = (typeof API_ROUTES)[K] extends {
  readonly request: infer S extends z.ZodType;
}
  ? z.output<S>
  : undefined;

/** The parsed query of a route; `undefined` for routes that take none. */
export type ApiQuery<K extends ApiRouteName> = (typeof API_ROUTES)[K] extends {
  readonly query: infer S extends z.ZodType;
}
  ? z.output<S>
  : undefined;

/** The response body of a route. */
export type ApiResponse<K extends ApiRouteName> = z.output<(typeof API_ROUTES)[K]['response']>;
