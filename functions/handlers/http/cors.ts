/**
 * The proxy's CORS allowlist: browsers on an allowed origin may call the proxy directly; any
 * other origin gets no CORS headers (so the browser blocks the response) and a refused preflight.
 */
const ALLOWED_REQUEST_HEADERS = [
  'authorization',
  'content-type',
  'x-api-key',
  'x-metrion-token',
  'x-metrion-user',
  'x-metrion-cache',
  'cache-control',
  'anthropic-version',
  'anthropic-beta',
  'anthropic-dangerous-direct-browser-access',
  'openai-organization',
  'openai-project',
].join(', ');

/** What a browser client may read: Metrion's own headers (phases included) and the provider ids. */
const EXPOSED_HEADERS = [
  'x-metrion-request-id',
  'x-metrion-cost-usd',
  'x-metrion-cache',
  'x-metrion-budget-id',
  'server-timing',
  'retry-after',
  'request-id',
  'x-request-id',
].join(', ');
const PREFLIGHT_MAX_AGE_SECONDS = '600';

/** Response headers for `origin`, or none when it is not allowlisted. */
export function corsHeaders(
  origin: string | undefined,
  allowedOrigins: readonly string[],
): Record<string, string> {
  if (origin === undefined || !allowedOrigins.includes(origin)) return {};
  return {
    'access-control-allow-origin': origin,
    'access-control-expose-headers': EXPOSED_HEADERS,
    vary: 'origin',
  };
}

/** The answer to an `OPTIONS` preflight: 204 for an allowed origin, 403 otherwise. */
export function preflightResponse(
  origin: string | undefined,
  allowedOrigins: readonly string[],
): { statusCode: number; headers: Record<string, string>; body: string } {
  const headers = corsHeaders(origin, allowedOrigins);
  if (!headers['access-control-allow-origin']) {
    return { statusCode: 403, headers: { vary: 'origin' }, body: '' };
  }
  return {
    statusCode: 204,
    headers: {
      ...headers,
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-allow-headers': ALLOWED_REQUEST_HEADERS,
      'access-control-max-age': PREFLIGHT_MAX_AGE_SECONDS,
    },
    body: '',
  };
}
