import { z } from 'zod';
import { fxSchema, MAX_FILTER_VALUES } from './dashboard-api.ts';

/**
 * The Logs API (dashboard Logs page): list, detail and CSV export of the signed-in account's
 * usage records. Imports only zod and the other contracts (the frontend bundles this file). `API_ROUTES` in
 * `api-routes.ts` includes `LOGS_API_ROUTES`; the CSV export is a streaming route of its own
 * (`LOGS_EXPORT_ROUTE`), served by a separate Lambda with response streaming.
 *
 * Query strings use the same parameters on all three routes:
 * `range`, `from`, `to`, `model`, `provider`, `requester`, `status`.
 */

/** Time ranges shared with the dashboard. Up to 24 h the dashboard buckets by hour. */
export const TIME_RANGES = ['24h', '7d', '30d', '90d', 'custom'] as const;
export type TimeRange = (typeof TIME_RANGES)[number];

/** Longest custom range (Pro retention plus a day): older records are expired anyway. */
export const MAX_CUSTOM_RANGE_DAYS = 366;

/** Rows per page of `GET /api/logs`. */
export const LOGS_PAGE_SIZE = 50;

const LOG_PROVIDERS = ['anthropic', 'openai', 'gemini', 'mistral', 'grok'] as const;

/** An ISO 8601 instant with a zone (`2026-11-24T12:00:00Z`, `…+01:00`). */
const isoInstant = z.iso.datetime({
  offset: true,
  message: 'Use an ISO 8601 date-time with a zone, e.g. 2026-11-24T12:00:00Z.',
});

/**
 * Status filter: an exact code (`429`) or a class (`2xx`, `4xx`, `5xx`, any `1xx`-`5xx`).
 * A class matches every status from `N00` to `N99`.
 */
export const statusFilterSchema = z
  .string()
  .regex(/^(?:[1-5]xx|[1-5]\d\d)$/, 'Status must be a code like 429 or a class like 4xx.');

/**
 * One value or a repeated parameter (`?model=a&model=b`), always an array after parsing; at most
 * {@link MAX_FILTER_VALUES} values (shared with the Dashboard's filters).
 */
function repeated<T extends z.ZodType<string>>(value: T) {
  return z
    .union([value, z.array(value).max(MAX_FILTER_VALUES)])
    .optional()
    .transform((given) => (given === undefined ? [] : Array.isArray(given) ? given : [given]));
}

/**
 * The server-side filters, the same as the Dashboard's. Each is repeatable; values of one filter
 * combine with OR, different filters with AND; absent = no filter. `model`, `provider` and
 * `requester` match the recorded value exactly (case-sensitive; the model as the provider
 * returned it); requester `-` (`NO_REQUESTER_FILTER` in `dashboard-api.ts`) matches requests
 * without one; `status` as in {@link statusFilterSchema}.
 */
export const logFiltersSchema = z.object({
  model: repeated(z.string().trim().min(1).max(200)),
  provider: repeated(
    z.enum(LOG_PROVIDERS, { message: `Provider must be one of ${LOG_PROVIDERS.join(', ')}.` }),
  ),
  requester: repeated(z.string().trim().min(1).max(128)),
  status: repeated(statusFilterSchema),
});
export type LogFilters = z.output<typeof logFiltersSchema>;

/**
 * Time window: `range` (default `24h`, ending now) or `range=custom` with `from` and `to`
 * (both required, `from` < `to`, at most {@link MAX_CUSTOM_RANGE_DAYS} days). `from` is
 * inclusive, `to` exclusive. `from`/`to` without `range=custom` are rejected.
 */
export const logRangeQuerySchema = z.object({
  range: z
    .enum(TIME_RANGES, { message: `Range must be one of ${TIME_RANGES.join(', ')}.` })
    .default('24h'),
  from: isoInstant.optional(),
  to: isoInstant.optional(),
});

/** Query string of `GET /api/logs/export.csv`: range and filters. Unknown parameters are 400. */
export const logsExportQuerySchema = logRangeQuerySchema.extend(logFiltersSchema.shape).strict();
export type LogsExportQuery = z.output<typeof logsExportQuerySchema>;

/**
 * Query string of `GET /api/logs`: range, filters and `cursor` (the `nextCursor` of the
 * previous page, unchanged). A cursor only works with the same range and filters it came from
 * and for the account that received it (else 400 `invalid_request`). It also pins the window:
 * later pages of `range=24h` keep the first page's `from`/`to` and `totalCount`.
 */
export const listLogsQuerySchema = logsExportQuerySchema
  .extend({ cursor: z.string().min(1).max(4096).optional() })
  .strict();
export type ListLogsQuery = z.output<typeof listLogsQuerySchema>;

/** The resolved window a response covers: `from` inclusive, `to` exclusive, ISO instants. */
export const resolvedRangeSchema = z.object({
  range: z.enum(TIME_RANGES),
  from: z.string(),
  to: z.string(),
});
export type ResolvedRangeDto = z.infer<typeof resolvedRangeSchema>;

/** One row of the Logs table (one proxied request). */
export const logRowSchema = z.object({
  /** The proxy's request id (`x-metrion-request-id`); the detail route's `{requestId}`. */
  requestId: z.string(),
  /** ISO instant the request arrived. */
  at: z.string(),
  /** HTTP status the caller received (green 2xx, orange 4xx, red 5xx). */
  status: z.number().int(),
  provider: z.enum(LOG_PROVIDERS),
  /** As returned by the provider, else as requested. */
  model: z.string(),
  /** `x-metrion-user` label; null when the request had none. */
  requester: z.string().nullable(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  totalTokens: z.number().int(),
  /**
   * Exact cost in USD as a decimal string with up to 12 places (`"0.008775"`, `"0"`); null when
   * the model has no price (unpriced: show "unpriced", never 0).
   */
  costUsd: z.string().nullable(),
  /**
   * The same cost in the account's currency (the response's `fx`), rounded half-even to 6
   * decimals from the exact USD (`"0.007615"`); null when unpriced.
   */
  cost: z.string().nullable(),
  /** End to end, milliseconds. */
  latencyMs: z.number().int(),
  /** Served from the response cache (show the Cached badge). */
  cached: z.boolean(),
  streamed: z.boolean(),
  mode: z.enum(['stored', 'pass-through']),
});
export type LogRow = z.infer<typeof logRowSchema>;

/** `GET /api/logs/{requestId}`: the row plus what only the detail view shows. */
export const logDetailSchema = logRowSchema.extend({
  /** Who produced the error: the provider (passed through) or Metrion; null on success. */
  errorSource: z.enum(['provider', 'metrion']).nullable(),
  /** The error message as recorded (never a key or prompt); null on success. */
  errorMessage: z.string().nullable(),
  cacheReadTokens: z.number().int(),
  cacheWriteTokens: z.number().int(),
  /** Streams only: arrival to the first body byte from upstream. */
  timeToFirstTokenMs: z.number().int().nullable(),
  /** Version of the price table that priced the request. */
  priceVersion: z.string(),
  /** The rate that converted `cost`. */
  fx: fxSchema,
});
export type LogDetail = z.infer<typeof logDetailSchema>;

/**
 * `GET /api/logs`: newest first, at most {@link LOGS_PAGE_SIZE} rows. `nextCursor` is null on the
 * last page. Previous: the client keeps the cursors of the pages it has shown (page 1 has none).
 * `totalCount` counts every record matching the range and filters (not just this page).
 */
export const logsPageSchema = z.object({
  rows: z.array(logRowSchema),
  nextCursor: z.string().nullable(),
  totalCount: z.number().int(),
  range: resolvedRangeSchema,
  /** The rate that converted every row's `cost` (the account's currency). */
  fx: fxSchema,
});
export type LogsPage = z.infer<typeof logsPageSchema>;

/**
 * Columns of the CSV export, in order (header row). `cost_usd` is exact decimal USD; `cost` is
 * the same in `currency` (the account's), converted with `fx_rate` (units per USD) of
 * `fx_rate_date`, 6 decimals. Empty cost cells = unpriced.
 */
export const LOGS_CSV_COLUMNS = [
  'request_id',
  'timestamp',
  'status',
  'provider',
  'model',
  'requester',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'total_tokens',
  'cost_usd',
  'cost',
  'currency',
  'fx_rate',
  'fx_rate_date',
  'latency_ms',
  'time_to_first_token_ms',
  'cached',
  'streamed',
  'mode',
  'error_source',
  'error_message',
] as const;

/** JSON routes (part of `API_ROUTES`): the dashboard API Lambda serves them. */
export const LOGS_API_ROUTES = {
  listLogs: {
    method: 'GET',
    path: '/api/logs',
    auth: 'jwt',
    query: listLogsQuerySchema,
    response: logsPageSchema,
  },
  getLog: {
    method: 'GET',
    path: '/api/logs/{requestId}',
    auth: 'jwt',
    response: logDetailSchema,
  },
} as const;

/**
 * `GET /api/logs/export.csv?<range and filters>`: `text/csv; charset=utf-8` with
 * `Content-Disposition: attachment`, streamed (no size limit), newest first, CRLF line ends,
 * RFC 4180 quoting, header row {@link LOGS_CSV_COLUMNS}; text cells starting with `=`, `+`,
 * `-`, `@`, tab or CR get a leading `'` (spreadsheet formula injection). Errors before the
 * first byte are the usual `{error:{code,message}}` JSON. Send the ID token as Bearer (the
 * browser fetches it and saves the blob).
 */
export const LOGS_EXPORT_ROUTE = {
  method: 'GET',
  path: '/api/logs/export.csv',
  auth: 'jwt',
  query: logsExportQuerySchema,
} as const;
