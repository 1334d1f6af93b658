import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
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

/**
 * One info line per request with its route, status and latency. Use it before
 * `httpErrorHandler`, so that on a failure it runs after the error has become a response.
 */
export function accessLog(options: AccessLogOptions): MiddlewareObj<APIGatewayProxyEvent> {
  const startedAtMs = new WeakMap<APIGatewayProxyEvent, number>();
  const log = (request: Request<APIGatewayProxyEvent>) => {
    const { event } = request;
    options.logger.info(options.message, {
      requestId: event.requestContext.requestId,
      method: event.httpMethod,
      route: options.route(event),
      status: (request.response as { statusCode?: number } | undefined)?.statusCode,
      latencyMs: options.clock.nowMs() - (startedAtMs.get(event) ?? options.clock.nowMs()),
    });
  };
  return {
    before: (request) => {
      startedAtMs.set(request.event, options.clock.nowMs());
    },
    after: log,
    onError: log,
  };
}
