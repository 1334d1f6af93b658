import * as z from 'zod';
import { REQUEST_ID_PATTERN } from '#core/logs/request-id.ts';
import type { API_ROUTES, ApiRouteName } from './api-routes.ts';
import { budgetIdSchema } from './budgets-api.ts';
import { providerIdSchema } from './settings-api.ts';

type ParametersOf<Path extends string> = Path extends `${string}{${infer Name}}${infer Rest}`
  ? Name | ParametersOf<Rest>
  : never;

/** Every `{name}` that a dashboard API route's path holds. */
export type ApiPathParameter = ParametersOf<(typeof API_ROUTES)[ApiRouteName]['path']>;

/**
 * The shape of every path parameter of `API_ROUTES` (the type makes a new `{name}` fail to
 * compile until it is listed). The dashboard API checks them before any store call: a value of
 * another shape cannot name anything (404), and an over-long one would otherwise reach DynamoDB
 * as a key and fail there.
 */
export const PATH_PARAMETERS = {
  provider: providerIdSchema,
  requestId: z.string().regex(REQUEST_ID_PATTERN),
  /** Alert rule ids are `rule_` and 20 hex digits; older shapes stay readable. */
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  budgetId: budgetIdSchema,
  /** Alert channels: `email` (built in) or `ch_` and 20 hex digits. */
  channelId: z.string().regex(/^(email|ch_[0-9a-f]{20})$/),
} as const satisfies Record<ApiPathParameter, z.ZodType<string>>;
