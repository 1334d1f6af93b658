/**
 * What a usage query (the Dashboard and the Logs page) may ask, as data: the one list of time
 * ranges, the requester placeholder, the status filter syntax and the limits the core keeps as
 * invariants. Imports nothing, so `#contracts` builds its zod schemas from it (validation at the
 * edge) and the frontend bundle may carry it.
 */

/** Named ranges end now; `custom` takes `from` and `to`. */
export const TIME_RANGES = ['24h', '7d', '30d', '90d', 'custom'] as const;
export type TimeRange = (typeof TIME_RANGES)[number];

/** The range of a query that names none. */
export const DEFAULT_TIME_RANGE = '24h' satisfies TimeRange;

/** Longest custom range (Pro retention plus a day): older records are expired anyway. */
export const MAX_CUSTOM_RANGE_DAYS = 366;

/** Requests without `x-metrion-user` have no requester; this filter value selects them. */
export const NO_REQUESTER_FILTER = '-';

/**
 * A status filter: an exact code (`429`) or a class (`2xx`, `4xx`, `5xx`, any `1xx`-`5xx`); a
 * class matches every status from `N00` to `N99`.
 */
export const STATUS_FILTER_PATTERN = /^(?:[1-5]xx|[1-5]\d\d)$/;

/** Rows per Logs page. */
export const LOG_PAGE_SIZE = 50;
