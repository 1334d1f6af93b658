import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { MetricValues } from '#core/observability/operational-metrics.ts';
import type { Logger } from '#core/ports/logger.ts';
import { PROVIDERS } from '#core/providers/provider-registry.ts';
import { guessProviderFromPath } from '#core/providers/routes.ts';
import { errorLogFields } from '../error-log-fields.ts';
import { type ErrorBodyFormat, errorResponse } from './error-response.ts';

export interface HttpErrorHandlerOptions {
  /**
   * `api`: the dashboard's `{ "error": { "code", "message" } }`. `provider`: the envelope of the
   * provider the request path names, so the caller's SDK raises its usual typed error.
   */
  readonly envelope: 'api' | 'provider';
  readonly logger: Logger;
  /** Headers every error answer also carries (the proxy's CORS headers). @default - none */
  readonly headers?: (event: APIGatewayProxyEvent) => Record<string, string>;
}

function bodyFormat(envelope: HttpErrorHandlerOptions['envelope'], path: string): ErrorBodyFormat {
  return envelope === 'api'
    ? { envelope }
    : { envelope, wireFormat: PROVIDERS[guessProviderFromPath(path)].wireFormat };
}

/**
 * The one middy error middleware of every HTTP handler, buffered or streaming (there it acts
 * before the first byte, while the status can still be chosen). It maps the error through
 * `errorResponse` (status, body, `no-store`, `nosniff`, `www-authenticate` on 401, `allow` on
 * 405, `retry-after`, the request id) and logs server errors (5xx) once, counted as the
 * `MetrionErrors` metric (every 5xx that reaches this middleware is Metrion's own: provider
 * errors are relayed as answers, not thrown); client errors are the caller's business and are
 * not logged here.
 */
export function httpErrorHandler(
  options: HttpErrorHandlerOptions,
): MiddlewareObj<APIGatewayProxyEvent> {
  return {
    onError: (request) => {
      const { event, error } = request;
      const requestId = event.requestContext.requestId;
      const response = errorResponse(error, bodyFormat(options.envelope, event.path), requestId);
      if (response.statusCode >= 500) {
        options.logger.error('request failed', {
          requestId,
          status: response.statusCode,
          error: errorLogFields(error),
          metrics: { MetrionErrors: 1 } satisfies MetricValues,
        });
      }
      request.response = {
        ...response,
        headers: { ...options.headers?.(event), ...response.headers },
      };
    },
  };
}
