/**
 * The longest a proxied request can run: the proxy function's timeout (15 minutes, Lambda's
 * maximum; `lib/constructs/proxy-service.ts`, and the local API Gateway's streaming timeout).
 * A trace older than this plus {@link TRACE_SWEEP_GRACE_MS} belongs to a request that ended.
 */
export const LONGEST_REQUEST_MS = 15 * 60_000;

/** Margin after {@link LONGEST_REQUEST_MS} for the proxy's own record write and its retries. */
export const TRACE_SWEEP_GRACE_MS = 5 * 60_000;

/**
 * How long a trace is kept (DynamoDB TTL): the sweeper must run within this time of a request,
 * and its first run looks back this far.
 */
export const TRACE_LIFETIME_MS = 7 * 24 * 60 * 60_000;
