import middy from '@middy/core';
import { executionModeStreamifyResponse } from '@middy/core/StreamifyResponse';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { MonotonicClock } from '#core/ports/clock.ts';
import type { Logger } from '#core/ports/logger.ts';
import { startPhaseTimer } from '#core/proxy/phase-timer.ts';
import type { ProxyService } from '#core/proxy/proxy-service.ts';
import { serverTimingHeader } from '#core/proxy/server-timing.ts';
import { lowerCaseHeaders, rawBody, streamOf } from './http/api-gateway.ts';
import { corsHeaders, preflightResponse } from './http/cors.ts';
import { httpErrorHandler } from './http/error-middleware.ts';
import { errorStatus } from './http/error-response.ts';
import { queryPairs } from './http/query-string.ts';

export interface ProxyHandlerDeps {
  readonly proxy: ProxyService;
  /** Stamps each request's arrival: wall time, and the monotonic time its phase timing starts. */
  readonly clock: MonotonicClock;
  readonly logger: Logger;
  /** Browser origins allowed to call the proxy (CORS allowlist of the environment). */
  readonly corsAllowedOrigins: readonly string[];
}

/**
 * The streaming proxy Lambda: event -> core pipeline -> streamed response. Usage is recorded
 * after the last byte: middy awaits `requestEnd` once the response stream has ended, so the
 * record never delays the caller yet the invocation stays alive until it is written. Errors
 * before the first byte become provider-shaped answers in `httpErrorHandler`; after it, the
 * relay sends the provider's own SSE error event (the status is already fixed).
 */
export function createProxyHandler(deps: ProxyHandlerDeps) {
  const pendingRecords = new WeakMap<Context, Promise<void>>();
  /** The `server-timing` of a failed request, for the error middleware that answers it. */
  const failureHeaders = new WeakMap<APIGatewayProxyEvent, Record<string, string>>();
  /** When each request arrived (monotonic), so even an unexpected 500 says Metrion's time. */
  const arrivals = new WeakMap<APIGatewayProxyEvent, number>();
  const timingOfUnexpectedFailure = (event: APIGatewayProxyEvent) => {
    const arrivedAtMs = arrivals.get(event);
    return arrivedAtMs === undefined
      ? {}
      : serverTimingHeader(startPhaseTimer(deps.clock, arrivedAtMs).headersReady());
  };
  const cors = (event: APIGatewayProxyEvent) =>
    corsHeaders(lowerCaseHeaders(event).origin, deps.corsAllowedOrigins);

  const base = async (event: APIGatewayProxyEvent, context: Context) => {
    // First thing: the overhead in `server-timing` counts from here (body decoding included).
    const receivedAtMonotonicMs = deps.clock.monotonicMs();
    const receivedAtMs = deps.clock.nowMs();
    arrivals.set(event, receivedAtMonotonicMs);
    const requestId = event.requestContext.requestId;
    const headers = lowerCaseHeaders(event);
    if (event.httpMethod === 'OPTIONS') {
      return preflightResponse(headers.origin, deps.corsAllowedOrigins);
    }
    const outcome = await deps.proxy.handle({
      requestId,
      method: event.httpMethod,
      path: event.path,
      headers,
      query: queryPairs(event),
      body: rawBody(event),
      receivedAtMs,
      receivedAtMonotonicMs,
    });
    if (outcome.kind === 'failed') {
      // Recorded with the status httpErrorHandler answers it with, in the provider's envelope.
      pendingRecords.set(context, outcome.settle(errorStatus(outcome.error)));
      failureHeaders.set(event, outcome.headers);
      throw outcome.error;
    }
    pendingRecords.set(context, outcome.settled);
    return {
      statusCode: outcome.status,
      headers: { ...outcome.headers, ...cors(event), 'x-metrion-request-id': requestId },
      body: outcome.body instanceof ReadableStream ? outcome.body : streamOf(outcome.body),
    };
  };

  return middy(base, {
    executionMode: executionModeStreamifyResponse,
    requestEnd: async (request) => {
      await pendingRecords.get(request.context);
    },
  }).use(
    httpErrorHandler({
      envelope: 'provider',
      logger: deps.logger,
      headers: (event) => ({
        ...cors(event),
        ...(failureHeaders.get(event) ?? timingOfUnexpectedFailure(event)),
      }),
    }),
  );
}
