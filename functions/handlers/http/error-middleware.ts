import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { UpstreamTimeoutError, UpstreamUnavailableError } from '#core/errors.ts';
import type { MetricValues } from '#core/observability/operational-metrics.ts';
import type { Logger } from '#core/ports/logger.ts';
import type { WireFormat } from '#core/providers/provider-registry.ts';
import { errorLogFields } from '../error-log-fields.ts';
import { type ErrorBodyFormat, errorResponse } from './error-response.ts';

export interface HttpErrorHandlerOptions<
  TContext extends Context = Context,
  TInternal extends Record<string, unknown> = Record<string, unknown>,
> {
  /**
   * `api`: the dashboard's `{ "error": { "code", "message" } }`. A function: the envelope of the
   * wire format it names for the failed request (the proxy's: the provider the path names), so
   * the caller's SDK raises its usual typed error.
   */
  readonly envelope:
    | 'api'
    | ((
        request: Request<APIGatewayProxyEvent, unknown, unknown, TContext, TInternal>,
      ) => WireFormat);
  readonly logger: Logger;
  /** Headers every error answer also carries (the proxy's CORS and `server-timing`). @default - none */
  readonly headers?: (
    request: Request<APIGatewayProxyEvent, unknown, unknown, TContext, TInternal>,
  ) => Record<string, string>;
}

/**
 * The one middy error middleware of every HTTP handler, buffered or streaming (there it acts
 * before the first byte, while the status can still be chosen). It maps the error through
 * `errorResponse` (status, body, `no-store`, `nosniff`, `www-authenticate` on 401, `allow` on
 * 405, `retry-after`, the request id) and logs server errors (5xx) once: a provider's failure
 * (502, 504) as one warning line, Metrion's own as an error with its stack, counted as the
 * `MetrionErrors` metric; client errors are the caller's business and are not logged here.
 */
export function httpErrorHandler<
  TContext extends Context = Context,
  TInternal extends Record<string, unknown> = Record<string, unknown>,
>(
  options: HttpErrorHandlerOptions<TContext, TInternal>,
): MiddlewareObj<APIGatewayProxyEvent, unknown, unknown, TContext, TInternal> {
  return {
    onError: (request) => {
      const { event, error } = request;
      const requestId = event.requestContext.requestId;
      const format: ErrorBodyFormat =
        options.envelope === 'api'
          ? { envelope: 'api' }
          : { envelope: 'provider', wireFormat: options.envelope(request) };
      const response = errorResponse(error, format, requestId);
      if (isProviderFault(error)) {
        // The provider was unreachable, slow or unreadable: expected, not Metrion's fault, and
        // its stack says nothing an operator needs.
        options.logger.warn('provider failed', {
          requestId,
          status: response.statusCode,
          error: { code: error.code, message: error.message },
        });
      } else if (response.statusCode >= 500) {
        options.logger.error('request failed', {
          requestId,
          status: response.statusCode,
          error: errorLogFields(error),
          metrics: { MetrionErrors: 1 } satisfies MetricValues,
        });
      }
      request.response = {
        ...response,
        headers: { ...options.headers?.(request), ...response.headers },
      };
    },
  };
}

function isProviderFault(error: unknown): error is UpstreamTimeoutError | UpstreamUnavailableError {
  return error instanceof UpstreamTimeoutError || error instanceof UpstreamUnavailableError;
}
