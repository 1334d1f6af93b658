import * as z from 'zod';
import { CURRENCIES } from '#core/accounts/account.ts';
import { isTagKey } from '#core/attribution/tags.ts';
import { ERROR_SOURCES, USAGE_KINDS } from '#core/usage/usage-record.ts';
import { isoInstantSchema, timeRangeSchema, usageFiltersSchema } from './usage-query.ts';

/**
 * The Dashboard API (`/api/dashboard/*`): usage analytics read from hourly/daily rollups, never
 * from raw logs. Imports zod, other contracts and core catalogues (the frontend bundles it).
 *
 * Conventions:
 * - Every series is aligned with `range.buckets` (bucket starts, ISO UTC): `series[i]` belongs
 *   to `buckets[i]`. Ranges up to 24 h use hourly buckets, longer ones daily buckets (UTC days).
 * - Money is an exact decimal string in the account's currency (`fx.currency`), rounded half-even
 *   to 6 decimals from the exact picodollar sum (`"12.345678"`). Never a float.
 * - `changePct` compares with the previous period of the same length; null when the previous
 *   value is 0 (no baseline).
 * - Filters are query parameters, repeatable (`?model=a&model=b`): model, provider, requester
 *   (`-` selects requests without a requester), status (`200`, `429`, or a class `2xx`/`4xx`/`5xx`),
 *   kind (`chat`, `responses`, `embeddings`), tag (`<key>:<value>`, one key at a time here); the
 *   same schema as the Logs routes (`usage-query.ts`). Every filter is a rollup dimension (a tag
 *   filter reads that key's tag rollups), so any combination reads the rollups only.
 */

const dashboardQueryShape = {
  range: timeRangeSchema,
  from: isoInstantSchema.optional(),
  to: isoInstantSchema.optional(),
  ...usageFiltersSchema.shape,
};

const customRangeNeedsBounds = (query: { range: string; from?: string; to?: string }) =>
  query.range !== 'custom' || (query.from !== undefined && query.to !== undefined);

/** Query string of every dashboard route. `from`/`to` (ISO instants) only with `range=custom`. */
export const dashboardQuerySchema = z
  .object(dashboardQueryShape)
  .refine(customRangeNeedsBounds, { message: 'A custom range needs from and to.' });
export type DashboardQuery = z.output<typeof dashboardQuerySchema>;

/**
 * Query string of `GET /api/dashboard/tags`: the dashboard query plus `key`, the tag key to break
 * down (default: the key used most recently). A `tag` filter there may only name that key.
 */
export const tagBreakdownQuerySchema = z
  .object({
    ...dashboardQueryShape,
    key: z.string().refine(isTagKey, 'key is a tag key: 1 to 32 of a-z, 0-9, _ and -.').optional(),
  })
  .refine(customRangeNeedsBounds, { message: 'A custom range needs from and to.' });
export type TagBreakdownQuery = z.output<typeof tagBreakdownQuerySchema>;

/** Which exchange rate converted the money figures. `rate` = units of `currency` per 1 USD. */
export const fxSchema = z.object({
  currency: z.enum(CURRENCIES),
  /** Decimal string with 8 decimals, for display (conversions use the exact ECB quotes). */
  rate: z.string(),
  /** The reference date of the rate (YYYY-MM-DD). */
  rateDate: z.string(),
  /** `ecb`: stored daily euro reference rates; `fallback`: rates shipped with the code. */
  source: z.enum(['ecb', 'fallback']),
});
export type FxDto = z.infer<typeof fxSchema>;

export const rangeSchema = z.object({
  from: z.string(),
  to: z.string(),
  bucket: z.enum(['hour', 'day']),
  /** Bucket starts (ISO UTC); every series is aligned with this array. */
  buckets: z.array(z.string()),
  previousFrom: z.string(),
  previousTo: z.string(),
});

const countStat = z.object({
  total: z.number(),
  previousTotal: z.number(),
  changePct: z.number().nullable(),
});
const moneyStat = z.object({
  total: z.string(),
  previousTotal: z.string(),
  changePct: z.number().nullable(),
});

const modelKey = { provider: z.string(), model: z.string() };

/**
 * What the cost figures leave out or may get wrong: requests whose model has no price (their
 * cost is unknown, not 0), the models they used (most requests first), and requests priced at
 * the standard rate for want of a price for their service tier.
 */
const pricingGaps = {
  unpricedRequests: z.number(),
  unpricedModels: z.array(z.object({ ...modelKey, requests: z.number() })),
  tierUnpricedRequests: z.number(),
};

/** Filter values seen in the range (for the filter panel). */
export const dimensionsSchema = z.object({
  providers: z.array(z.string()),
  models: z.array(z.string()),
  requesters: z.array(z.string()),
  statuses: z.array(z.number()),
  kinds: z.array(z.enum(USAGE_KINDS)),
});

export const tokenSeriesSchema = z.object({
  input: z.array(z.number()),
  output: z.array(z.number()),
  cacheRead: z.array(z.number()),
  cacheWrite: z.array(z.number()),
});

export const overviewSchema = z.object({
  range: rangeSchema,
  fx: fxSchema,
  dimensions: dimensionsSchema,
  requests: countStat.extend({ success: z.array(z.number()), errors: z.array(z.number()) }),
  requestsByModel: z.array(z.object({ ...modelKey, requests: z.number() })),
  errors: countStat.extend({
    /** errors / requests in the range, 0..1; 0 without requests. */
    rate: z.number(),
    byStatus: z.array(z.object({ status: z.number(), count: z.number() })),
  }),
  tokens: tokenSeriesSchema.extend({ total: z.number() }),
  costByModel: z.array(z.object({ ...modelKey, total: z.string(), series: z.array(z.string()) })),
  topProviders: z.array(
    z.object({
      provider: z.string(),
      cost: z.string(),
      /** 0..1 of the range's cost. */ share: z.number(),
    }),
  ),
  cost: moneyStat.extend({ series: z.array(z.string()), ...pricingGaps }),
  /**
   * Requests whose tokens Metrion counted itself (the client left the stream before the provider
   * reported usage) and their share of the range's requests, 0..1 (0 without requests).
   */
  estimated: z.object({ count: z.number(), share: z.number() }),
  uniqueRequesters: countStat.extend({ series: z.array(z.number()) }),
  avgLatencyMs: z.object({
    value: z.number().nullable(),
    previous: z.number().nullable(),
    changePct: z.number().nullable(),
    series: z.array(z.number().nullable()),
  }),
});
export type OverviewDto = z.infer<typeof overviewSchema>;

export const costsSchema = z.object({
  range: rangeSchema,
  fx: fxSchema,
  cost: moneyStat.extend({ series: z.array(z.string()), ...pricingGaps }),
  byModel: z.array(z.object({ ...modelKey, total: z.string(), series: z.array(z.string()) })),
  byProvider: z.array(z.object({ provider: z.string(), total: z.string(), share: z.number() })),
  byRequester: z.array(
    z.object({ requester: z.string().nullable(), total: z.string(), requests: z.number() }),
  ),
  /**
   * The current UTC month's projected spend for the same filters (whatever the range): the
   * forecast alert rules' model (exact spend of sealed days + the last 7 days' daily average x
   * days left), from 3 whole days of history.
   */
  monthForecast: z.discriminatedUnion('status', [
    z.object({
      status: z.literal('projected'),
      /** `YYYY-MM` */
      month: z.string(),
      projected: z.string(),
      /** The month's exact spend before `exactThrough` (the rest is projected at the pace). */
      spent: z.string(),
      exactThrough: z.string(),
      dailyPace: z.string(),
      paceDays: z.number(),
    }),
    z.object({
      status: z.literal('too_little_history'),
      month: z.string(),
      paceDays: z.number(),
      neededDays: z.number(),
    }),
  ]),
});
export type CostsDto = z.infer<typeof costsSchema>;

export const tokensSchema = z.object({
  range: rangeSchema,
  series: tokenSeriesSchema,
  totals: z.object({
    input: z.number(),
    output: z.number(),
    cacheRead: z.number(),
    cacheWrite: z.number(),
    total: z.number(),
    previousTotal: z.number(),
    changePct: z.number().nullable(),
  }),
  /** Per model; `total` is the sum of the four kinds, as in `totals`. */
  byModel: z.array(
    z.object({
      ...modelKey,
      input: z.number(),
      output: z.number(),
      cacheRead: z.number(),
      cacheWrite: z.number(),
      total: z.number(),
    }),
  ),
});
export type TokensDto = z.infer<typeof tokensSchema>;

export const latencySchema = z.object({
  range: rangeSchema,
  /**
   * Percentiles come from merged log-spaced histograms (4 buckets per doubling): each value is
   * within about 9% of the exact percentile. Null for buckets without requests.
   */
  series: z.object({
    p50: z.array(z.number().nullable()),
    p95: z.array(z.number().nullable()),
    p99: z.array(z.number().nullable()),
    avg: z.array(z.number().nullable()),
    avgTimeToFirstToken: z.array(z.number().nullable()),
  }),
  overall: z.object({
    p50: z.number().nullable(),
    p95: z.number().nullable(),
    p99: z.number().nullable(),
    avg: z.number().nullable(),
    previousP95: z.number().nullable(),
  }),
});
export type LatencyDto = z.infer<typeof latencySchema>;

export const recentErrorSchema = z.object({
  requestId: z.string(),
  at: z.string(),
  provider: z.string(),
  model: z.string(),
  requester: z.string().nullable(),
  status: z.number(),
  errorSource: z.enum(ERROR_SOURCES).nullable(),
  errorMessage: z.string().nullable(),
  latencyMs: z.number(),
});
export type RecentErrorDto = z.infer<typeof recentErrorSchema>;

export const errorsSchema = z.object({
  range: rangeSchema,
  errors: countStat.extend({ rate: z.number(), series: z.array(z.number()) }),
  byStatus: z.array(
    z.object({ status: z.number(), total: z.number(), series: z.array(z.number()) }),
  ),
  /** The 50 most recent errors in the range matching the filters, newest first. */
  recent: z.array(recentErrorSchema),
});
export type ErrorsDto = z.infer<typeof errorsSchema>;

const tagTotalsSchema = z.object({
  requests: z.number(),
  errors: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  cacheReadTokens: z.number(),
  cacheWriteTokens: z.number(),
  totalTokens: z.number(),
  /** Exact USD (up to 12 decimals), for reconciling with Logs and the CSV. */
  costUsd: z.string(),
  /** The same in the account's currency (`fx`), 6 decimals, half-even. */
  cost: z.string(),
  /** Requests whose model has no price: their cost is unknown, not 0. */
  unpricedRequests: z.number(),
});

/**
 * `GET /api/dashboard/tags`: one tag key's usage per value over the range, the 20 values of
 * highest cost by name (cost, then requests, then value) and the rest as `other`; `total` is
 * every request that carried the key. Requests without the key are in neither.
 */
export const tagBreakdownSchema = z.object({
  range: rangeSchema,
  fx: fxSchema,
  /** The key broken down; null when the account has never sent a tag. */
  key: z.string().nullable(),
  /** Every tag key the account has used, most recently seen first (the key picker). */
  keys: z.array(z.string()),
  values: z.array(
    tagTotalsSchema.extend({
      value: z.string(),
      /** 0..1 of `total`'s cost. */
      share: z.number(),
      /**
       * False when, on an hourly range, the value fell outside the 100 values an hour keeps by
       * name in some hour: its figures are then at least those shown (a daily range re-reads such
       * a value, exactly). Filter by the value on the other tabs for its exact total.
       */
      complete: z.boolean(),
    }),
  ),
  other: tagTotalsSchema.extend({ share: z.number() }),
  total: tagTotalsSchema,
});
export type TagBreakdownDto = z.infer<typeof tagBreakdownSchema>;

/**
 * Dashboard routes; `API_ROUTES` (api-routes.ts) spreads these in. All are `GET` with the
 * query of {@link dashboardQuerySchema} and need the signed-in user's ID token.
 */
export const DASHBOARD_ROUTES = {
  getDashboardOverview: {
    method: 'GET',
    path: '/api/dashboard/overview',
    auth: 'jwt',
    query: dashboardQuerySchema,
    response: overviewSchema,
  },
  getDashboardCosts: {
    method: 'GET',
    path: '/api/dashboard/costs',
    auth: 'jwt',
    query: dashboardQuerySchema,
    response: costsSchema,
  },
  getDashboardTokens: {
    method: 'GET',
    path: '/api/dashboard/tokens',
    auth: 'jwt',
    query: dashboardQuerySchema,
    response: tokensSchema,
  },
  getDashboardLatency: {
    method: 'GET',
    path: '/api/dashboard/latency',
    auth: 'jwt',
    query: dashboardQuerySchema,
    response: latencySchema,
  },
  getDashboardErrors: {
    method: 'GET',
    path: '/api/dashboard/errors',
    auth: 'jwt',
    query: dashboardQuerySchema,
    response: errorsSchema,
  },
  getDashboardTags: {
    method: 'GET',
    path: '/api/dashboard/tags',
    auth: 'jwt',
    query: tagBreakdownQuerySchema,
    response: tagBreakdownSchema,
  },
} as const;
