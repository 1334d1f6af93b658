import { API_ROUTES } from '#contracts/api-routes.ts';
import { STRIPE_WEBHOOK_ROUTE } from '#contracts/billing-api.ts';
import { LOGS_EXPORT_ROUTE } from '#contracts/logs-api.ts';
import { PROXY_PATH_PREFIX } from '#core/providers/routes.ts';
import { createApiRouter } from '#handlers/http/api-router.ts';
import type { LocalRoute } from './api-gateway-server.ts';

/** The handler modules' exports behind the API, one per Lambda as in AWS. */
export interface LocalHandlers {
  readonly proxy: unknown;
  readonly dashboardApi: unknown;
  readonly logsExport: unknown;
  readonly stripeWebhook: unknown;
}

/**
 * The same resources `lib/constructs/api.ts` creates, from the same tables: every path below
 * `PROXY_PATH_PREFIX` (`/api/proxy/{proxy+}`) to the proxy, the CSV export route to its streaming
 * function, the Stripe webhook to its function, and each `API_ROUTES` path (any method, for the JSON 405) to the dashboard API.
 * Anything else under `/api` gets API Gateway's own 404 (`ROUTE_NOT_FOUND_RESPONSE`).
 */
export function localRoutes(handlers: LocalHandlers): LocalRoute[] {
  const dashboardRoute = createApiRouter(API_ROUTES);
  return [
    { matches: (path) => path.startsWith(`${PROXY_PATH_PREFIX}/`), handler: handlers.proxy },
    // A literal path wins over its `{requestId}` sibling, as in API Gateway.
    { matches: (path) => path === LOGS_EXPORT_ROUTE.path, handler: handlers.logsExport },
    // Unauthenticated, Stripe-signed: its own function, outside the dashboard API's routes.
    { matches: (path) => path === STRIPE_WEBHOOK_ROUTE.path, handler: handlers.stripeWebhook },
    {
      // No method matches '', so a known path is `method_not_allowed`, an unknown one `not_found`.
      matches: (path) => dashboardRoute('', path).kind !== 'not_found',
      handler: handlers.dashboardApi,
    },
  ];
}
