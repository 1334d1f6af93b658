import * as z from 'zod';
import { CURRENCIES, type Currency, MAX_DISPLAY_NAME_LENGTH } from '#core/accounts/account.ts';
import { PLANS, type Plan } from '#core/billing/plans.ts';
import { PROVIDER_IDS } from '#core/providers/provider-registry.ts';
import { hasUnsafeNameCharacter, UNSAFE_NAME_RULE } from '#core/text/safe-name.ts';
import type { ApiRoute } from './api-route.ts';

/**
 * Schemas and routes of the account settings part of the dashboard API. Imports zod and the
 * core's lists (currencies, plans, provider ids), which it re-exports for the frontend.
 */

export { CURRENCIES, type Currency, MAX_DISPLAY_NAME_LENGTH, PLANS, type Plan };

export const providerIdSchema = z.enum(PROVIDER_IDS);

export const accountSchema = z.object({
  accountId: z.string(),
  email: z.string(),
  displayName: z.string(),
  currency: z.enum(CURRENCIES),
  plan: z.enum(PLANS),
  createdAt: z.string(),
});
export type AccountDto = z.infer<typeof accountSchema>;

export const updateGeneralSchema = z
  .object({
    displayName: z
      .string()
      .trim()
      .min(1, 'Display name cannot be empty.')
      .max(
        MAX_DISPLAY_NAME_LENGTH,
        `Display name can have at most ${MAX_DISPLAY_NAME_LENGTH} characters.`,
      )
      .refine((name) => !hasUnsafeNameCharacter(name), `Display name ${UNSAFE_NAME_RULE}`)
      .optional(),
    currency: z
      .enum(CURRENCIES, {
        message: `Currency must be ${CURRENCIES.slice(0, -1).join(', ')} or ${CURRENCIES.at(-1)}.`,
      })
      .optional(),
  })
  .strict()
  .refine((body) => body.displayName !== undefined || body.currency !== undefined, {
    message: 'Send displayName, currency or both.',
  });
export type UpdateGeneralRequest = z.infer<typeof updateGeneralSchema>;

export const metrionKeySchema = z.object({ metrionKey: z.string() });

export const providerKeySummarySchema = z.object({
  provider: providerIdSchema,
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
  provider: providerIdSchema,
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

/** Account and settings routes; `API_ROUTES` (api-routes.ts) spreads these in. */
export const SETTINGS_ROUTES = {
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
} as const satisfies Record<string, ApiRoute>;
