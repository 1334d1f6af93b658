import { z } from 'zod';
import { DASHBOARD_ROUTES } from './dashboard-api.ts';
import { LOGS_API_ROUTES } from './logs-api.ts';

/**
 * The dashboard JSON API: one route table with the schemas of each request and response. The
 * settings Lambda validates with these, the local server and CDK route from them, and the
 * frontend's API client is typed by them. Imports only zod (the frontend bundles this file).
 */

export const CURRENCY_CODES = ['USD', 'EUR', 'CHF'] as const;
export const PROVIDER_CODES = ['anthropic', 'openai', 'gemini', 'mistral', 'grok'] as const;

export const providerCodeSchema = z.enum(PROVIDER_CODES);
export type ProviderCode = z.infer<typeof providerCodeSchema>;

export const accountSchema = z.object({
  accountId: z.string(),
  email: z.string(),
  displayName: z.string(),
  currency: z.enum(CURRENCY_CODES),
  plan: z.enum(['free', 'pro']),
  createdAt: z.string(),
});
export type AccountDto = z.infer<typeof accountSchema>;

export const updateGeneralSchema = z
  .object({
    displayName: z
      .string()
      .trim()
      .min(1, 'Display name cannot be empty.')
      .max(80, 'Display name can have at most 80 characters.')
      .regex(/^\P{Cc}*$/u, 'Display name cannot contain line breaks or control characters.')
      .optional(),
    currency: z.enum(CURRENCY_CODES, { message: 'Currency must be USD, EUR or CHF.' }).optional(),
  })
  .strict()
  .refine((body) => body.displayName !== undefined || body.currency !== undefined, {
    message: 'Send displayName, currency or both.',
  });
export type UpdateGeneralRequest = z.infer<typeof updateGeneralSchema>;

export const metrionKeySchema = z.object({ metrionKey: z.string() });

export const providerKeySummarySchema = z.object({
  provider: providerCodeSchema,
  createdAt: z.string(),
});
export const providerKeyListSchema = z.object({ providers: z.array(providerKeySummarySchema) });
export const putProviderKeySchema = z
  .object({
    key: z
      .string({ message: 'Send the API key as a string in "key".' })
      .trim()
      .min(1, 'Paste the API key.')
      .max(512, 'An API key has at most 512 characters.'),
  })
  .strict();
export const deletedProviderKeySchema = z.object({
  provider: providerCodeSchema,
  revokeUrl: z.string(),
});

export const integrationStatusSchema = z.object({
  /**
   * Null until the account's first proxied request is recorded; afterwards an ISO instant of a
   * recorded request (the newest one). The Integrate page polls this.
   */
  firstRequestAt: z.string().nullable(),
});

/** Public: what the browser needs to sign in (Cognito locally or in AWS). */
export const publicConfigSchema = z.object({
  cognito: z.object({
    region: z.string(),
    userPoolId: z.string(),
    clientId: z.string(),
    /** Set in local mode (cognito-local); AWS uses the regional Cognito endpoint. */
    endpoint: z.string().optional(),
  }),
  proxyBasePath: z.string(),
});

export const apiErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

export interface ApiRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway style: `{name}` marks a path parameter. */
  readonly path: string;
  /** `public` routes need no sign-in. */
  readonly auth: 'jwt' | 'public';
  readonly request?: z.ZodType;
  /**
   * Query string schema: it receives `Record<name, string | string[]>` (a repeated parameter
   * arrives as an array). Routes without one ignore the query string.
   */
  readonly query?: z.ZodType;
  readonly response: z.ZodType;
}

export const API_ROUTES = {
  getConfig: { method: 'GET', path: '/api/config', auth: 'public', response: publicConfigSchema },
  getMe: { method: 'GET', path: '/api/me', auth: 'jwt', response: accountSchema },
  updateGeneral: {
    method: 'PATCH',
    path: '/api/settings/general',
    auth: 'jwt',
    request: updateGeneralSchema,
    response: accountSchema,
  },
  getMetrionKey: {
    method: 'GET',
    path: '/api/settings/metrion-key',
    auth: 'jwt',
    response: metrionKeySchema,
  },
  regenerateMetrionKey: {
    method: 'POST',
    path: '/api/settings/metrion-key/regenerate',
    auth: 'jwt',
    response: metrionKeySchema,
  },
  listProviderKeys: {
    method: 'GET',
    path: '/api/settings/providers',
    auth: 'jwt',
    response: providerKeyListSchema,
  },
  putProviderKey: {
    method: 'PUT',
    path: '/api/settings/providers/{provider}',
    auth: 'jwt',
    request: putProviderKeySchema,
    response: providerKeySummarySchema,
  },
  deleteProviderKey: {
    method: 'DELETE',
    path: '/api/settings/providers/{provider}',
    auth: 'jwt',
    response: deletedProviderKeySchema,
  },
  getIntegrationStatus: {
    method: 'GET',
    path: '/api/integration/status',
    auth: 'jwt',
    response: integrationStatusSchema,
  },
  ...DASHBOARD_ROUTES,
  ...LOGS_API_ROUTES,
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
