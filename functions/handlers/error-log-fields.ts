import { InternalError, MetrionError, ServiceUnavailableError } from '#core/errors.ts';

/** What operators need to find the cause; never the response body, the event or its headers. */
export function errorLogFields(error: unknown): Record<string, unknown> {
  // The wrapper says nothing the operator needs; what it wraps is the error to find.
  if (error instanceof InternalError) return errorLogFields(error.cause);
  if (!(error instanceof Error)) return { name: typeof error };
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    code: error instanceof MetrionError ? error.code : undefined,
    ...(error instanceof ServiceUnavailableError
      ? { service: error.service, operation: error.operation, retryable: error.retryable }
      : {}),
    // The cause may be an SDK error whose message quotes request data: its name only.
    cause: error.cause instanceof Error ? error.cause.name : undefined,
  };
}
