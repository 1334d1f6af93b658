import middy from '@middy/core';
import { executionModeStreamifyResponse } from '@middy/core/StreamifyResponse';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { MonotonicClock } from '#core/ports/clock.ts';
import type { Logger } from '#core/ports/logger.ts';
import type { WireFormat } from '#core/providers/provider-registry.ts';
import type { ProxyService } from '#core/proxy/proxy-service.ts';
import { lowerCaseHeaders, rawBody, streamOf } from './http/api-gateway.ts';
import { corsHeaders, preflightResponse } from './http/cors.ts';
import { httpErrorHandler } from './http/error-middleware.ts';
import {
  type ProxyContext,
  ProxyFailure,
  type ProxyHandlerResponse,
  type ProxyInternal,
  proxyRequestState,
  settleAfterAnswer,
} from './http/proxy-request-state.ts';
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
 * The envelope of a failure that never reached the core (which answers every other one in the
 * envelope of the provider the path names): the OpenAI-compatible one, four providers' of five.
 */
const UNROUTED_WIRE_FORMAT: WireFormat = 'openai';

/**
 * The streaming proxy Lambda: event -> core pipeline -> streamed response. Usage is recorded
 * after the last byte (`settleAfterAnswer` as middy's `requestEnd`, which runs once the response
 * stream has ended), so the record never delays the caller yet the invocation stays alive until
 * it is written. Errors before the first byte become provider-shaped answers in
 * `httpErrorHandler`; after it, the relay sends the provider's own SSE error event (the status
 * is already fixed).
 */
export function createProxyHandler(deps: ProxyHandlerDeps) {
  const cors = (event: APIGatewayProxyEvent) =>
    corsHeaders(lowerCaseHeaders(event).origin, deps.corsAllowedOrigins);

  const base = async (
    event: APIGatewayProxyEvent,
    context: ProxyContext,
  ): Promise<ProxyHandlerResponse> => {
    const headers = lowerCaseHeaders(event);
    if (event.httpMethod === 'OPTIONS') {
      return preflightResponse(headers.origin, deps.corsAllowedOrigins);
    }
    const requestId = event.requestContext.requestId;
    const outcome = await deps.proxy.handle({
      requestId,
      method: event.httpMethod,
      path: event.path,
      headers,
      query: queryPairs(event),
      body: rawBody(event),
      receivedAtMs: context.arrival.atMs,
      receivedAtMonotonicMs: context.arrival.monotonicMs,
    });
    if (outcome.kind === 'failed') throw new ProxyFailure(outcome);
    return {
      statusCode: outcome.status,
      headers: { ...outcome.headers, ...cors(event), 'x-metrion-request-id': requestId },
      body: outcome.body instanceof ReadableStream ? outcome.body : streamOf(outcome.body),
      settled: outcome.settled,
    };
  };

  return middy(base, {
    executionMode: executionModeStreamifyResponse,
    requestEnd: settleAfterAnswer(deps.logger),
  })
    .use(
      httpErrorHandler<ProxyContext, ProxyInternal>({
        envelope: (request) => request.internal.failure?.wireFormat ?? UNROUTED_WIRE_FORMAT,
        logger: deps.logger,
        headers: (request) => ({ ...cors(request.event), ...request.internal.failure?.headers }),
      }),
    )
    .use(proxyRequestState(deps.clock));
}
