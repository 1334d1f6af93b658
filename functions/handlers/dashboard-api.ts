import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ALERT_CHANNELS_ROUTES } from '#contracts/alert-channels-api.ts';
import type { ALERTS_ROUTES } from '#contracts/alerts-api.ts';
import {
  API_ROUTES,
  type ApiQuery,
  type ApiRequest,
  type ApiResponse,
  type ApiRoute,
  type ApiRouteName,
} from '#contracts/api-routes.ts';
import type { BILLING_ROUTES } from '#contracts/billing-api.ts';
import type { BUDGETS_ROUTES } from '#contracts/budgets-api.ts';
import type { DASHBOARD_ROUTES } from '#contracts/dashboard-api.ts';
import type { LOGS_ROUTES } from '#contracts/logs-api.ts';
import { type ApiPathParameter, PATH_PARAMETERS } from '#contracts/path-parameters.ts';
import type { SETTINGS_ROUTES } from '#contracts/settings-api.ts';
import type { AccountService } from '#core/accounts/account-service.ts';
import { getIntegrationStatus } from '#core/accounts/integration-status.ts';
import type { SignedInUser } from '#core/accounts/signed-in-user.ts';
import type { AlertsService } from '#core/alerts/alerts-service.ts';
import type { AlertChannelsService } from '#core/alerts/channels/alert-channels-service.ts';
import type { BillingService } from '#core/billing/billing-service.ts';
import type { BudgetsService } from '#core/budgets/budgets-service.ts';
import type { DashboardService } from '#core/dashboard/dashboard-service.ts';
import { MethodNotAllowedError, NotFoundError } from '#core/errors.ts';
import type { LogsService } from '#core/logs/logs-service.ts';
import type { Clock } from '#core/ports/clock.ts';
import type { Logger } from '#core/ports/logger.ts';
import type { TokenVerifier } from '#core/ports/token-verifier.ts';
import type { UsageStore } from '#core/ports/usage-store.ts';
import { PROVIDER_IDS, type ProviderId } from '#core/providers/provider-registry.ts';
import { bearerToken } from './auth/bearer-token.ts';
import { accessLog } from './http/access-log.ts';
import { lowerCaseHeaders, rawBody } from './http/api-gateway.ts';
import { createApiRouter } from './http/api-router.ts';
import { httpErrorHandler } from './http/error-middleware.ts';
import { parseJsonBody } from './http/json-body.ts';
import { parseQuery } from './http/query-string.ts';

export interface DashboardApiHandlerDeps {
  readonly accounts: AccountService;
  /** Read only: whether the account's first proxied request has been recorded. */
  readonly usage: UsageStore;
  /** Dashboard analytics read from rollups. */
  readonly dashboard: DashboardService;
  /** The Logs page: raw usage records, paged, counted and one by one. */
  readonly logs: LogsService;
  /** Alert rules (Pro): list, create, edit, delete, test. */
  readonly alerts: AlertsService;
  /** Budgets: list with this period's figures, create, edit (pause), delete. */
  readonly budgets: BudgetsService;
  /** Alert channels (Pro): list, create, rename, delete, test, delivery log. */
  readonly alertChannels: AlertChannelsService;
  /** Settings > Plan: billing view, Stripe Checkout and billing portal URLs. */
  readonly billing: Pick<BillingService, 'getBillingView' | 'startCheckout' | 'openPortal'>;
  /** Verifies the dashboard's sign-in tokens (Cognito ID tokens). */
  readonly tokens: TokenVerifier;
  /** What `GET /api/config` answers: how the browser signs in. */
  readonly publicConfig: ApiResponse<'getConfig'>;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** JSON that must never be cached or sniffed: it carries keys and account data. */
const API_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
} as const;

interface RouteInput<K extends ApiRouteName> {
  /** The verified caller; every account id comes from here, never from the path or body. */
  readonly user: (typeof API_ROUTES)[K]['auth'] extends 'jwt' ? SignedInUser : undefined;
  readonly params: Readonly<Record<string, string>>;
  readonly body: ApiRequest<K>;
  readonly query: ApiQuery<K>;
}

type Actions<K extends ApiRouteName> = {
  readonly [N in K]: (input: RouteInput<N>) => Promise<ApiResponse<N>>;
};

type RouteActions = Actions<ApiRouteName>;

/** The 404 for a path parameter of the wrong shape (`shown` is cut to 40 characters). */
const UNKNOWN_PARAMETER: Record<ApiPathParameter, (shown: string) => string> = {
  provider: (shown) => `Unknown provider "${shown}". Metrion supports: ${PROVIDER_IDS.join(', ')}.`,
  requestId: () => 'No request with this id in your logs.',
  id: () => 'No alert rule with this id.',
  budgetId: () => 'No budget with this id.',
  channelId: () => 'No alert channel with this id.',
};

/** The path parameters, each checked against its {@link PATH_PARAMETERS} shape. @throws NotFoundError */
function checkedParams(params: Readonly<Record<string, string>>): Record<string, string> {
  for (const [name, value] of Object.entries(params)) {
    const parameter = name as ApiPathParameter;
    if (!PATH_PARAMETERS[parameter].safeParse(value).success) {
      throw new NotFoundError(UNKNOWN_PARAMETER[parameter](value.slice(0, 40)));
    }
  }
  return params;
}

/** The `{provider}` of a route whose parameters {@link checkedParams} passed. */
const providerParam = (params: Readonly<Record<string, string>>): ProviderId =>
  params.provider as ProviderId;

/** Settings and Plan: the account, its keys, the first request, billing. */
function accountActions(
  deps: DashboardApiHandlerDeps,
): Actions<keyof typeof SETTINGS_ROUTES | keyof typeof BILLING_ROUTES> {
  return {
    getConfig: async () => deps.publicConfig,
    getMe: ({ user }) => deps.accounts.signIn(user),
    updateGeneral: ({ user, body }) => deps.accounts.updateGeneral(user.accountId, body),
    getMetrionKey: async ({ user }) => ({
      metrionKey: await deps.accounts.revealMetrionKey(user.accountId),
    }),
    regenerateMetrionKey: async ({ user }) => ({
      metrionKey: await deps.accounts.regenerateMetrionKey(user.accountId),
    }),
    listProviderKeys: async ({ user }) => ({
      providers: await deps.accounts.listProviderKeys(user.accountId),
    }),
    putProviderKey: ({ user, params, body }) =>
      deps.accounts.putProviderKey(user.accountId, providerParam(params), body.key),
    deleteProviderKey: ({ user, params }) =>
      deps.accounts.deleteProviderKey(user.accountId, providerParam(params)),
    getIntegrationStatus: ({ user }) => getIntegrationStatus(deps.usage, user.accountId),
    getBilling: async ({ user }) => {
      const { currentPeriodEndAt, thisMonth, ...view } = await deps.billing.getBillingView(
        user.accountId,
      );
      return {
        ...view,
        currentPeriodEnd: currentPeriodEndAt,
        thisMonth: {
          requests: thisMonth.requests,
          resetsAt: new Date(thisMonth.resetsAtMs).toISOString(),
        },
      };
    },
    startCheckout: ({ user }) => deps.billing.startCheckout(user.accountId),
    openBillingPortal: ({ user }) => deps.billing.openPortal(user.accountId),
  };
}

/** The Dashboard tabs and Logs. */
function usageActions(
  deps: DashboardApiHandlerDeps,
): Actions<keyof typeof DASHBOARD_ROUTES | keyof typeof LOGS_ROUTES> {
  return {
    getDashboardOverview: ({ user, query }) => deps.dashboard.overview(user.accountId, query),
    getDashboardCosts: ({ user, query }) => deps.dashboard.costs(user.accountId, query),
    getDashboardTokens: ({ user, query }) => deps.dashboard.tokens(user.accountId, query),
    getDashboardLatency: ({ user, query }) => deps.dashboard.latency(user.accountId, query),
    getDashboardErrors: ({ user, query }) => deps.dashboard.errors(user.accountId, query),
    getDashboardTags: ({ user, query }) => deps.dashboard.tags(user.accountId, query),
    listLogs: ({ user, query: { cursor, ...filters } }) =>
      deps.logs.listLogs(user.accountId, filters, cursor),
    getLog: ({ user, params }) => deps.logs.getLog(user.accountId, params.requestId ?? ''),
  };
}

/** Alert rules, budgets and alert channels. */
function alertingActions(
  deps: DashboardApiHandlerDeps,
): Actions<
  keyof typeof ALERTS_ROUTES | keyof typeof BUDGETS_ROUTES | keyof typeof ALERT_CHANNELS_ROUTES
> {
  return {
    listAlertRules: ({ user }) => deps.alerts.list(user.accountId),
    createAlertRule: ({ user, body }) => deps.alerts.create(user.accountId, body),
    updateAlertRule: ({ user, params, body }) =>
      deps.alerts.update(user.accountId, params.id ?? '', body),
    deleteAlertRule: ({ user, params }) => deps.alerts.remove(user.accountId, params.id ?? ''),
    testAlertRule: ({ user, params }) => deps.alerts.test(user.accountId, params.id ?? ''),
    listBudgets: ({ user }) => deps.budgets.list(user.accountId),
    createBudget: ({ user, body }) => deps.budgets.create(user.accountId, body),
    updateBudget: ({ user, params, body }) =>
      deps.budgets.update(user.accountId, params.budgetId ?? '', body),
    deleteBudget: ({ user, params }) => deps.budgets.remove(user.accountId, params.budgetId ?? ''),
    listAlertChannels: ({ user }) => deps.alertChannels.list(user.accountId),
    createAlertChannel: ({ user, body }) => deps.alertChannels.create(user.accountId, body),
    renameAlertChannel: ({ user, params, body }) =>
      deps.alertChannels.rename(user.accountId, params.channelId ?? '', body.name),
    deleteAlertChannel: ({ user, params }) =>
      deps.alertChannels.remove(user.accountId, params.channelId ?? ''),
    testAlertChannel: ({ user, params }) =>
      deps.alertChannels.test(user.accountId, params.channelId ?? ''),
    listAlertChannelDeliveries: ({ user, params }) =>
      deps.alertChannels.deliveries(user.accountId, params.channelId ?? ''),
  };
}

/** Runs one matched route: token, path parameters, body and query checked, then its action. */
async function respond<K extends ApiRouteName>(
  deps: DashboardApiHandlerDeps,
  actions: RouteActions,
  name: K,
  params: Record<string, string>,
  event: APIGatewayProxyEvent,
): Promise<unknown> {
  const definition: ApiRoute = API_ROUTES[name];
  const headers = lowerCaseHeaders(event);
  const user =
    definition.auth === 'jwt' ? await deps.tokens.verify(bearerToken(headers)) : undefined;
  const checked = checkedParams(params);
  const body =
    definition.request === undefined
      ? undefined
      : parseJsonBody(rawBody(event), definition.request);
  const query = definition.query === undefined ? undefined : parseQuery(event, definition.query);
  const action = actions[name] as (input: RouteInput<K>) => Promise<unknown>;
  return definition.response.parse(
    await action({ user, params: checked, body, query } as RouteInput<K>),
  );
}

/**
 * The dashboard JSON API (`API_ROUTES`): match the route, verify the Cognito ID token on `jwt`
 * routes, validate the body with the route's schema, call one core use case for the caller's
 * own account, and shape the answer with the route's response schema (which also drops any
 * field the schema does not list). Errors become responses in `httpErrorHandler` only.
 */
export function createDashboardApiHandler(deps: DashboardApiHandlerDeps) {
  const route = createApiRouter<ApiRouteName>(API_ROUTES);
  const actions: RouteActions = {
    ...accountActions(deps),
    ...usageActions(deps),
    ...alertingActions(deps),
  };

  const base = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const match = route(event.httpMethod, event.path);
    if (match.kind === 'not_found') {
      throw new NotFoundError(`The dashboard API has no route ${event.path.slice(0, 200)}.`);
    }
    if (match.kind === 'method_not_allowed') {
      throw new MethodNotAllowedError(
        `Use ${match.allowedMethods.join(' or ')} for ${event.path.slice(0, 200)}.`,
        match.allowedMethods,
      );
    }
    const definition: ApiRoute = API_ROUTES[match.name];
    return {
      statusCode: definition.status ?? 200,
      headers: { ...API_HEADERS, 'x-metrion-request-id': event.requestContext.requestId },
      body: JSON.stringify(await respond(deps, actions, match.name, match.params, event)),
    };
  };

  return middy(base)
    .use(
      accessLog({
        logger: deps.logger,
        clock: deps.clock,
        message: 'dashboard API request',
        route: (event) => {
          const match = route(event.httpMethod, event.path);
          return match.kind === 'matched' ? match.name : match.kind;
        },
      }),
    )
    .use(httpErrorHandler({ envelope: 'api', logger: deps.logger }));
}
