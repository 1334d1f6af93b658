import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { Clock } from '#core/ports/clock.ts';
import type { Logger } from '#core/ports/logger.ts';

export interface AccessLogOptions {
  readonly logger: Logger;
  readonly clock: Clock;
  /** The log message, e.g. `dashboard API request`. */
  readonly message: string;
  /** A low-cardinality name for the request's route (never raw path parameters). */
  readonly route: (event: APIGatewayProxyEvent) => string;
}

/** When the request reached the access log, on middy's `request.internal`. */
type AccessLogInternal = { accessLogStartedAtMs?: number };

/**
 * One info line per request with its route, status and latency. Use it before
 * `httpErrorHandler`, so that on a failure it runs after the error has become a response.
 */
export function accessLog(
  options: AccessLogOptions,
): MiddlewareObj<APIGatewayProxyEvent, unknown, unknown, Context, AccessLogInternal> {
  const log = (
    request: Request<APIGatewayProxyEvent, unknown, unknown, Context, AccessLogInternal>,
  ) => {
    const { event } = request;
    const nowMs = options.clock.nowMs();
    options.logger.info(options.message, {
      requestId: event.requestContext.requestId,
      method: event.httpMethod,
      route: options.route(event),
      status: (request.response as { statusCode?: number } | undefined)?.statusCode,
      latencyMs: nowMs - (request.internal.accessLogStartedAtMs ?? nowMs),
    });
  };
  return {
    before: (request) => {
      request.internal.accessLogStartedAtMs = options.clock.nowMs();
    },
    after: log,
    onError: log,
  };
}
