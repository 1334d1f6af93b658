import { MetrionError } from '#core/errors.ts';
import { errorEnvelope } from '#core/providers/error-envelope.ts';
import type { WireFormat } from '#core/providers/provider-registry.ts';

/** The one mapping from a MetrionError code to an HTTP status. Unknown codes are 500. */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  invalid_request: 400,
  invalid_api_key: 401,
  missing_provider_key: 401,
  unauthorized: 401,
  forbidden: 403,
  plan_required: 403,
  not_found: 404,
  method_not_allowed: 405,
  account_exists: 409,
  metrion_key_conflict: 409,
  rule_limit: 409,
  payload_too_large: 413,
  rate_limit_exceeded: 429,
  upstream_unavailable: 502,
  upstream_timeout: 504,
};

/** Error `type` values the providers' SDKs know, by status. */
const ENVELOPE_TYPE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  405: 'invalid_request_error',
  409: 'invalid_request_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
};

export interface ErrorResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

interface MappedError {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly retryAfterSeconds?: number;
}

/** Only MetrionErrors expose their message; anything else is a generic 500 with the request id. */
function mapError(error: unknown, requestId: string): MappedError {
  if (error instanceof MetrionError) {
    return {
      status: STATUS_BY_CODE[error.code] ?? 500,
      code: error.code,
      message: error.message,
      ...(error.retryAfterSeconds === undefined
        ? {}
        : { retryAfterSeconds: error.retryAfterSeconds }),
    };
  }
  return {
    status: 500,
    code: 'internal_error',
    message: `Metrion had an internal error. Retry the request; if it persists, contact support with request id ${requestId}.`,
  };
}

function headersFor(mapped: MappedError, requestId: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-metrion-request-id': requestId,
    ...(mapped.retryAfterSeconds === undefined
      ? {}
      : { 'retry-after': String(mapped.retryAfterSeconds) }),
  };
}

/** A proxy error in the envelope of the provider the caller's SDK speaks. */
export function proxyErrorResponse(
  error: unknown,
  wireFormat: WireFormat,
  requestId: string,
): ErrorResponse {
  const mapped = mapError(error, requestId);
  const type = ENVELOPE_TYPE_BY_STATUS[mapped.status] ?? 'api_error';
  return {
    statusCode: mapped.status,
    headers: headersFor(mapped, requestId),
    body: JSON.stringify(errorEnvelope(wireFormat, type, mapped.message, mapped.code)),
  };
}

/** A dashboard API error: `{ "error": { "code", "message" } }`. */
export function apiErrorResponse(error: unknown, requestId: string): ErrorResponse {
  const mapped = mapError(error, requestId);
  return {
    statusCode: mapped.status,
    headers: headersFor(mapped, requestId),
    body: JSON.stringify({ error: { code: mapped.code, message: mapped.message } }),
  };
}
