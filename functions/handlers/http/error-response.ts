import {
  asMetrionError,
  BudgetExceededError,
  type ErrorCode,
  MethodNotAllowedError,
  MetrionError,
} from '#core/errors.ts';
import { errorEnvelope } from '#core/providers/error-envelope.ts';
import type { WireFormat } from '#core/providers/provider-registry.ts';

/** The one mapping from a MetrionError code to an HTTP status; the compiler checks it is complete. */
export const STATUS_BY_CODE = {
  invalid_request: 400,
  invalid_api_key: 401,
  unauthorized: 401,
  missing_provider_key: 401,
  plan_required: 403,
  not_found: 404,
  method_not_allowed: 405,
  account_exists: 409,
  email_taken: 409,
  metrion_key_conflict: 409,
  rule_limit: 409,
  budget_limit: 409,
  budget_exceeded: 402,
  channel_limit: 409,
  channel_in_use: 409,
  payload_too_large: 413,
  rate_limit_exceeded: 429,
  secret_integrity: 500,
  upstream_unavailable: 502,
  service_unavailable: 503,
  upstream_timeout: 504,
  already_pro: 409,
  subscription_open: 409,
  no_billing_customer: 409,
  invalid_webhook_signature: 400,
  invalid_webhook_payload: 400,
  billing_unavailable: 502,
  internal_error: 500,
} as const satisfies Record<ErrorCode, number>;

/** Error `type` values the providers' SDKs know, by status. */
const ENVELOPE_TYPE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'budget_exceeded',
  403: 'permission_error',
  404: 'not_found_error',
  405: 'invalid_request_error',
  409: 'invalid_request_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
};

/** The dashboard's `{ "error": { "code", "message" } }`, or the envelope a provider's SDK reads. */
export type ErrorBodyFormat =
  | { readonly envelope: 'api' }
  | { readonly envelope: 'provider'; readonly wireFormat: WireFormat };

export interface ErrorResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The status an error answers: its code's, or 500 for anything that is not a MetrionError. */
export function errorStatus(error: unknown): number {
  return error instanceof MetrionError ? STATUS_BY_CODE[error.code] : 500;
}

/**
 * The response for `error`. Only MetrionErrors expose their code and message (written for the
 * customer); anything else is an InternalError: a generic 500 naming the request id and nothing
 * of the error.
 */
export function errorResponse(
  error: unknown,
  format: ErrorBodyFormat,
  requestId: string,
): ErrorResponse {
  const exposed = asMetrionError(error, requestId);
  const statusCode = STATUS_BY_CODE[exposed.code];
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-metrion-request-id': requestId,
  };
  if (statusCode === 401) headers['www-authenticate'] = 'Bearer';
  if (exposed instanceof MethodNotAllowedError) headers.allow = exposed.allowedMethods.join(', ');
  if (exposed instanceof BudgetExceededError) {
    headers['x-metrion-budget-id'] = exposed.budgetId;
    // Both SDKs honour it: a budget refusal is final until the budget resets or changes.
    headers['x-should-retry'] = 'false';
  }
  if (exposed.retryAfterSeconds !== undefined) {
    headers['retry-after'] = String(exposed.retryAfterSeconds);
  }
  const body =
    format.envelope === 'api'
      ? { error: { code: exposed.code, message: exposed.message } }
      : errorEnvelope(
          format.wireFormat,
          ENVELOPE_TYPE_BY_STATUS[statusCode] ?? 'api_error',
          exposed.message,
          exposed.code,
        );
  return { statusCode, headers, body: JSON.stringify(body) };
}
