import * as z from 'zod';
import { PROVIDER_IDS } from '#core/providers/provider-registry.ts';
import { LOG_PAGE_SIZE, MAX_CUSTOM_RANGE_DAYS, TIME_RANGES } from '#core/usage/usage-query.ts';
import { AUTH_MODES, ERROR_SOURCES, USAGE_KINDS } from '#core/usage/usage-record.ts';
import { fxSchema } from './dashboard-api.ts';
import { isoInstantSchema, timeRangeSchema, usageFiltersSchema } from './usage-query.ts';

/**
 * The Logs API (dashboard Logs page): list, detail and CSV export of the signed-in account's
 * usage records. Imports zod, other contracts and core catalogues (the frontend bundles this file). `API_ROUTES` in
 * `api-routes.ts` includes `LOGS_ROUTES`; the CSV export is a streaming route of its own
 * (`LOGS_EXPORT_ROUTE`), served by a separate Lambda with response streaming.
 *
 * Query strings use the same parameters on all three routes:
 * `range`, `from`, `to`, `model`, `provider`, `requester`, `status`, `kind`, `tag` (`usage-query.ts`,
 * shared with the Dashboard).
 */

/** Rows per page of `GET /api/logs` (the core's page size). */
export { LOG_PAGE_SIZE };

/**
 * Time window: `range` (default `24h`, ending now) or `range=custom` with `from` and `to`
 * (both required, `from` < `to`, at most {@link MAX_CUSTOM_RANGE_DAYS} days). `from` is
 * inclusive, `to` exclusive. `from`/`to` without `range=custom` are rejected.
 */
export const logRangeQuerySchema = z.object({
  range: timeRangeSchema,
  from: isoInstantSchema.optional(),
  to: isoInstantSchema.optional(),
});

/** Query string of `GET /api/logs/export.csv`: range and filters. Unknown parameters are 400. */
export const logsExportQuerySchema = logRangeQuerySchema.extend(usageFiltersSchema.shape).strict();
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
  provider: z.enum(PROVIDER_IDS),
  /** As returned by the provider, else as requested. */
  model: z.string(),
  /**
   * `x-metrion-user` label, else the end-user id the SDK sent in the body (OpenAI
   * `safety_identifier`/`user`, Anthropic `metadata.user_id`); null when the request had none.
   */
  requester: z.string().nullable(),
  /** The request's `x-metrion-tag-<key>` headers, key to value; `{}` without any. */
  tags: z.record(z.string(), z.string()),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  cacheReadTokens: z.number().int(),
  cacheWriteTokens: z.number().int(),
  /** Input, output, cache-read and cache-write tokens added up. */
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
  mode: z.enum(AUTH_MODES),
  /** The client left the stream before the provider reported usage: tokens counted by Metrion. */
  estimated: z.boolean(),
  /** Chat completion, Responses API call or embeddings (records before issue 14: chat). */
  kind: z.enum(USAGE_KINDS),
  /** A budget refused the request (status 402; show it as blocked): the budget's name. */
  blockedBy: z.string().nullable(),
});
export type LogRow = z.infer<typeof logRowSchema>;

/** `GET /api/logs/{requestId}`: the row plus what only the detail view shows. */
export const logDetailSchema = logRowSchema.extend({
  /** Who produced the error: the provider (passed through) or Metrion; null on success. */
  errorSource: z.enum(ERROR_SOURCES).nullable(),
  /** The error message as recorded (never a key or prompt); null on success. */
  errorMessage: z.string().nullable(),
  /**
   * The cache writes by lifetime (Anthropic: 5-minute writes at 1.25x, 1-hour writes at 2x the
   * input price); null when the answer did not split them (every write has the default lifetime).
   */
  cacheWrite5mTokens: z.number().int().nullable(),
  cacheWrite1hTokens: z.number().int().nullable(),
  /** Streams only: arrival to the first body byte from upstream. */
  timeToFirstTokenMs: z.number().int().nullable(),
  /** Version of the price table that priced the request. */
  priceVersion: z.string(),
  /**
   * The service tier the provider's answer named (`default`, `flex`, `priority`, `standard` …);
   * null when it named none.
   */
  serviceTier: z.string().nullable(),
  /** The price data has no price for this tier: priced at the standard rate, maybe wrongly. */
  tierUnpriced: z.boolean(),
  /** The rate that converted `cost`. */
  fx: fxSchema,
  /**
   * The figures of the answer's `server-timing` header, ms with one decimal: `overheadMs` is
   * Metrion's own time to the answer's headers (arrival to headers, minus the upstream waits);
   * a phase the request did not reach is null. Null on records written before it was kept.
   */
  timing: z
    .object({
      overheadMs: z.number(),
      authMs: z.number().nullable(),
      upstreamHeadersMs: z.number().nullable(),
      upstreamBodyMs: z.number().nullable(),
    })
    .nullable(),
});
export type LogDetail = z.infer<typeof logDetailSchema>;

/**
 * `GET /api/logs`: newest first, at most {@link LOG_PAGE_SIZE} rows. `nextCursor` is null on the
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
 * `fx_rate_date`, 6 decimals. Empty cost cells = unpriced. `kind` is `chat`, `responses` or
 * `embeddings`. `service_tier` is the tier the answer named (empty: none); `tier_unpriced` says
 * it was priced at the standard rate for want of a tier price; the two lifetime columns split
 * `cache_write_tokens` (empty: not split). New columns are appended at the end, so scripts reading columns by position
 * keep working. After these come the tag columns, one `tag:<key>` per tag key the export's
 * records may carry, sorted by key (a key's cell is empty on a record without it); read them by
 * name, since which keys appear depends on the range.
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
  'estimated',
  'kind',
  'service_tier',
  'tier_unpriced',
  'cache_write_5m_tokens',
  'cache_write_1h_tokens',
] as const;

/** JSON routes (part of `API_ROUTES`): the dashboard API Lambda serves them. */
export const LOGS_ROUTES = {
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
 * RFC 4180 quoting (also of cells holding `;` or tab), header row {@link LOGS_CSV_COLUMNS} then
 * the `tag:<key>` columns; a
 * `=`, `+`, `-`, `@`, tab or CR that starts a text cell, or follows a separator, quote or line
 * break inside one, gets a `'` before it (formula injection in any locale). Errors before the
 * first byte are the usual `{error:{code,message}}` JSON. Send the ID token as Bearer (the
 * browser fetches it and saves the blob).
 */
export const LOGS_EXPORT_ROUTE = {
  method: 'GET',
  path: '/api/logs/export.csv',
  auth: 'jwt',
  query: logsExportQuerySchema,
} as const;
