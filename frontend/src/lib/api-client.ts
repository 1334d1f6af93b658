import type { z } from 'zod';
import {
  API_ROUTES,
  type ApiRoute,
  type ApiRouteName,
  apiErrorSchema,
} from '#contracts/api-routes.ts';
import { LOGS_EXPORT_ROUTE } from '#contracts/logs-api.ts';
import type { ProviderId } from '#contracts/providers.ts';
import type { CognitoConfig } from './cognito.ts';
import { endSession, freshBearerToken } from './session.ts';

type Routes = typeof API_ROUTES;

/** What a route answers, as its response schema parses it. */
export type ResponseOf<N extends ApiRouteName> = z.output<Routes[N]['response']>;

/** The body a route accepts (before its schema trims and checks it). */
export type BodyOf<N extends ApiRouteName> = Routes[N] extends {
  readonly request: infer S extends z.ZodType;
}
  ? z.input<S>
  : never;

type PathParamNames<P extends string> = P extends `${string}{${infer Name}}${infer Rest}`
  ? Name | PathParamNames<Rest>
  : never;

type CallOptions<N extends ApiRouteName> = ([PathParamNames<Routes[N]['path']>] extends [never]
  ? { readonly params?: undefined }
  : { readonly params: Readonly<Record<PathParamNames<Routes[N]['path']>, string>> }) &
  ([BodyOf<N>] extends [never] ? { readonly body?: undefined } : { readonly body: BodyOf<N> }) & {
    /** Query string (repeated parameters as arrays), checked by the route's query schema. */
    readonly query?: QueryParams;
  };

/** A query string as the API reads it: a repeated parameter is an array. */
export type QueryParams = Readonly<Record<string, string | readonly string[]>>;

/** `?a=1&b=x&b=y` from query params; empty values are left out. */
export function queryString(query: QueryParams | undefined): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    for (const item of typeof value === 'string' ? [value] : value) {
      if (item !== '') search.append(name, item);
    }
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/**
 * A failed API call: the API's own `{error:{code,message}}`, a request the contract rejects
 * before sending (`invalid_request`), or no answer at all (`network_error`, status 0).
 * `message` is written for people and safe to show.
 */
export class ApiRequestError extends Error {
  readonly status: number;
  readonly code: string;
  /** From a 429's `Retry-After` header: seconds until the action is allowed again. */
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, code: string, message: string, retryAfterSeconds?: number) {
    super(message);
    this.name = 'ApiRequestError';
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A `Retry-After` header in seconds (the API sends whole seconds); undefined when absent. */
function retryAfterOf(response: Response): number | undefined {
  const header = response.headers.get('retry-after');
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header.trim());
}

/** A message for people from anything a call may throw. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong. Try again.';
}

export interface ApiClientOptions {
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /**
   * Called when the API rejects the session (401) or there is none: the default forgets the
   * session and opens the sign-in page, which returns here afterwards.
   */
  readonly onUnauthorized?: () => void;
}

function redirectToSignIn(): void {
  const back = `${location.pathname}${location.search}`;
  location.assign(`/sign-in?next=${encodeURIComponent(back)}`);
}

function pathOf(template: string, params: Readonly<Record<string, string>> | undefined): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined) throw new Error(`Missing path parameter ${name} for ${template}`);
    return encodeURIComponent(value);
  });
}

/** The error for a non-2xx answer: the API's own `{error: {code, message}}` when it sent one. */
function failedRequestError(
  status: number,
  payload: unknown,
  retryAfterSeconds?: number,
): ApiRequestError {
  const apiError = apiErrorSchema.safeParse(payload);
  return apiError.success
    ? new ApiRequestError(
        status,
        apiError.data.error.code,
        apiError.data.error.message,
        retryAfterSeconds,
      )
    : new ApiRequestError(
        status,
        'http_error',
        `Metrion answered with HTTP ${status}. Try again in a moment.`,
      );
}

type Call = <N extends ApiRouteName>(name: N, options: CallOptions<N>) => Promise<ResponseOf<N>>;

/** The value the schema accepts, or an `invalid_request` error with the schema's first message. */
function validated<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? 'The request is not valid.';
    throw new ApiRequestError(400, 'invalid_request', message);
  }
  return parsed.data;
}

/** `fetch`, with a failure to connect turned into a `network_error` the page can show. */
async function reach(fetchFn: typeof fetch, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetchFn(url, init);
  } catch {
    throw new ApiRequestError(
      0,
      'network_error',
      'Could not reach Metrion. Check your connection and try again.',
    );
  }
}

interface Transport {
  readonly call: Call;
  readonly getConfig: () => Promise<ResponseOf<'getConfig'>>;
  readonly reach: (url: string, init: RequestInit) => Promise<Response>;
  /** Runs `onUnauthorized` and returns the error to throw. */
  readonly unauthorized: () => ApiRequestError;
}

/** Calls routes of `API_ROUTES`: checked request, a fresh token when signed in, parsed answer. */
function createTransport(options: ApiClientOptions): Transport {
  const fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const onUnauthorized =
    options.onUnauthorized ??
    (() => {
      endSession();
      redirectToSignIn();
    });
  let config: Promise<ResponseOf<'getConfig'>> | undefined;

  const unauthorized = (): ApiRequestError => {
    onUnauthorized();
    return new ApiRequestError(401, 'unauthorized', 'Your session has ended. Sign in again.');
  };

  async function call<N extends ApiRouteName>(
    name: N,
    callOptions: CallOptions<N>,
  ): Promise<ResponseOf<N>> {
    const route: ApiRoute = API_ROUTES[name];
    const headers: Record<string, string> = { accept: 'application/json' };
    let body: string | undefined;
    if (route.request) {
      body = JSON.stringify(validated(route.request, callOptions.body));
      headers['content-type'] = 'application/json';
    }
    if (route.query && callOptions.query) validated(route.query, callOptions.query);
    if (route.auth === 'jwt') {
      const token = await freshBearerToken((await getConfig()).cognito);
      if (!token) throw unauthorized();
      headers.authorization = `Bearer ${token}`;
    }
    const response = await reach(
      fetchFn,
      `${pathOf(route.path, callOptions.params)}${queryString(callOptions.query)}`,
      { method: route.method, headers, body },
    );
    const payload: unknown = await response.json().catch(() => undefined);
    if (response.status === 401 && route.auth === 'jwt') throw unauthorized();
    if (!response.ok) throw failedRequestError(response.status, payload, retryAfterOf(response));
    const parsed = route.response.safeParse(payload);
    if (!parsed.success) {
      throw new ApiRequestError(
        response.status,
        'invalid_response',
        'Metrion sent an answer this page does not understand. Reload the page.',
      );
    }
    return parsed.data as ResponseOf<N>;
  }

  function getConfig(): Promise<ResponseOf<'getConfig'>> {
    config ??= call('getConfig', {}).catch((error: unknown) => {
      config = undefined;
      throw error;
    });
    return config;
  }

  return { call, getConfig, reach: (url, init) => reach(fetchFn, url, init), unauthorized };
}

/** The filtered CSV export as a file (the route needs the Bearer token, so no plain link). */
async function downloadLogsCsv(transport: Transport, query: QueryParams): Promise<Blob> {
  validated(LOGS_EXPORT_ROUTE.query, query);
  const token = await freshBearerToken((await transport.getConfig()).cognito);
  if (!token) throw transport.unauthorized();
  const response = await transport.reach(`${LOGS_EXPORT_ROUTE.path}${queryString(query)}`, {
    method: LOGS_EXPORT_ROUTE.method,
    headers: { accept: 'text/csv', authorization: `Bearer ${token}` },
  });
  if (response.status === 401) throw transport.unauthorized();
  if (!response.ok) {
    throw failedRequestError(response.status, await response.json().catch(() => undefined));
  }
  return response.blob();
}

/** The Dashboard tabs and the Logs page. */
function usageMethods(call: Call) {
  return {
    /** Dashboard tab data for a range and the shared filters. */
    getDashboardOverview: (query: QueryParams) => call('getDashboardOverview', { query }),
    getDashboardCosts: (query: QueryParams) => call('getDashboardCosts', { query }),
    getDashboardTokens: (query: QueryParams) => call('getDashboardTokens', { query }),
    getDashboardLatency: (query: QueryParams) => call('getDashboardLatency', { query }),
    getDashboardErrors: (query: QueryParams) => call('getDashboardErrors', { query }),
    getDashboardTags: (query: QueryParams) => call('getDashboardTags', { query }),
    /** One page of Logs (50 rows); pass the previous page's `nextCursor` as `cursor`. */
    listLogs: (query: QueryParams) => call('listLogs', { query }),
    /** One request with its error message. */
    getLog: (requestId: string) => call('getLog', { params: { requestId } }),
  };
}

/** Settings and Plan: the account, its keys, the first request, billing. */
function accountMethods(call: Call) {
  return {
    /** The signed-in account; the API creates it on the first call after sign-up. */
    getMe: () => call('getMe', {}),
    updateGeneral: (body: BodyOf<'updateGeneral'>) => call('updateGeneral', { body }),
    getMetrionKey: () => call('getMetrionKey', {}),
    /** A new Metrion Key; the previous one stops working at once. */
    regenerateMetrionKey: () => call('regenerateMetrionKey', {}),
    listProviderKeys: () => call('listProviderKeys', {}),
    /** Adds or replaces the stored key for one provider. */
    putProviderKey: (provider: ProviderId, body: BodyOf<'putProviderKey'>) =>
      call('putProviderKey', { params: { provider }, body }),
    /** Deletes a stored key; the answer names the provider console where to revoke it. */
    deleteProviderKey: (provider: ProviderId) =>
      call('deleteProviderKey', { params: { provider } }),
    getIntegrationStatus: () => call('getIntegrationStatus', {}),
    /** Settings > Plan: the plan in force, Stripe's status and the period end. */
    getBilling: () => call('getBilling', {}),
    /** A Stripe Checkout URL for Pro (409 `already_pro`, `subscription_open`). */
    startCheckout: () => call('startCheckout', {}),
    /** A Stripe billing portal URL (409 `no_billing_customer` before the first checkout). */
    openBillingPortal: () => call('openBillingPortal', {}),
  };
}

/** Alert rules, budgets and alert channels. */
function alertingMethods(call: Call) {
  return {
    /** Pro only (403 `plan_required` on Free): the rules and how the non-budget types measure. */
    listAlertRules: () => call('listAlertRules', {}),
    createAlertRule: (body: BodyOf<'createAlertRule'>) => call('createAlertRule', { body }),
    /** Edit, pause (`{paused: true}`) or resume a rule; its type cannot change. */
    updateAlertRule: (id: string, body: BodyOf<'updateAlertRule'>) =>
      call('updateAlertRule', { params: { id }, body }),
    deleteAlertRule: (id: string) => call('deleteAlertRule', { params: { id } }),
    /** Emails the rule's figures now; 429 with `retryAfterSeconds` within 12 h of the last. */
    testAlertRule: (id: string) => call('testAlertRule', { params: { id } }),
    /** The budgets with this period's spent, reserved and blocked, and the plan's allowance. */
    listBudgets: () => call('listBudgets', {}),
    createBudget: (body: BodyOf<'createBudget'>) => call('createBudget', { body }),
    /** Edit, pause (`{paused: true}`) or resume a budget. */
    updateBudget: (budgetId: string, body: BodyOf<'updateBudget'>) =>
      call('updateBudget', { params: { budgetId }, body }),
    deleteBudget: (budgetId: string) => call('deleteBudget', { params: { budgetId } }),
    /** Pro only: email (built in) and the webhook and Slack channels. */
    listAlertChannels: () => call('listAlertChannels', {}),
    /** A webhook's signing secret is in this answer only. */
    createAlertChannel: (body: BodyOf<'createAlertChannel'>) =>
      call('createAlertChannel', { body }),
    deleteAlertChannel: (channelId: string) =>
      call('deleteAlertChannel', { params: { channelId } }),
    /** Sends a test notice now; 429 within a minute of the last. */
    testAlertChannel: (channelId: string) => call('testAlertChannel', { params: { channelId } }),
    listAlertChannelDeliveries: (channelId: string) =>
      call('listAlertChannelDeliveries', { params: { channelId } }),
  };
}

/**
 * The dashboard's only way to the API. Every route, method, path, request and response comes
 * from `API_ROUTES` (the schemas the dashboard API Lambda validates with): requests are checked
 * before sending, responses are parsed before use, and signed-in routes carry a fresh token.
 */
export function createApiClient(options: ApiClientOptions = {}) {
  const transport = createTransport(options);
  const { call, getConfig } = transport;
  return {
    ...usageMethods(call),
    downloadLogsCsv: (query: QueryParams) => downloadLogsCsv(transport, query),
    /** Public: Cognito settings and the proxy base path. Fetched once per page. */
    getConfig,
    /** Cognito settings for the sign-in forms. */
    cognitoConfig: async (): Promise<CognitoConfig> => (await getConfig()).cognito,
    ...accountMethods(call),
    ...alertingMethods(call),
  };
}

/** The client shape, for components that receive one. */
export type ApiClient = ReturnType<typeof createApiClient>;

/** The page's client: same-origin `/api`, redirect to sign-in when the session ends. */
export const api: ApiClient = createApiClient();
