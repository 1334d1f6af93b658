import middy from '@middy/core';
import { executionModeStreamifyResponse } from '@middy/core/StreamifyResponse';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { Clock } from '#core/ports/clock.ts';
import type { Logger } from '#core/ports/logger.ts';
import { PROVIDERS } from '#core/providers/provider-registry.ts';
import { guessProviderFromPath } from '#core/providers/routes.ts';
import type { ProxyService } from '#core/proxy/proxy-service.ts';
import { lowerCaseHeaders, rawBody, streamOf } from './http/api-gateway.ts';
import { corsHeaders, preflightResponse } from './http/cors.ts';
import { proxyErrorResponse } from './http/error-response.ts';

export interface ProxyHandlerDeps {
  readonly proxy: ProxyService;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Browser origins allowed to call the proxy (CORS allowlist of the environment). */
  readonly corsAllowedOrigins: readonly string[];
}

/**
 * The streaming proxy Lambda: event -> core pipeline -> streamed response. Usage is recorded
 * after the last byte: middy awaits `requestEnd` once the response stream has ended, so the
 * record never delays the caller yet the invocation stays alive until it is written.
 */
export function createProxyHandler(deps: ProxyHandlerDeps) {
  const pendingRecords = new WeakMap<Context, Promise<void>>();

  const base = async (event: APIGatewayProxyEvent, context: Context) => {
    const requestId = event.requestContext.requestId;
    const headers = lowerCaseHeaders(event);
    if (event.httpMethod === 'OPTIONS') {
      return preflightResponse(headers.origin, deps.corsAllowedOrigins);
    }
    const cors = corsHeaders(headers.origin, deps.corsAllowedOrigins);
    const outcome = await deps.proxy.handle({
      requestId,
      method: event.httpMethod,
      path: event.path,
      headers,
      body: rawBody(event),
      receivedAtMs: deps.clock.nowMs(),
    });
    if (outcome.kind === 'failed') {
      const response = proxyErrorResponse(outcome.error, outcome.wireFormat, requestId);
      pendingRecords.set(context, outcome.settle(response.statusCode));
      return { ...response, headers: { ...response.headers, ...cors } };
    }
    pendingRecords.set(context, outcome.settled);
    return {
      statusCode: outcome.status,
      headers: { ...outcome.headers, ...cors, 'x-metrion-request-id': requestId },
      body: outcome.body instanceof ReadableStream ? outcome.body : streamOf(outcome.body),
    };
  };

  return middy(base, {
    executionMode: executionModeStreamifyResponse,
    requestEnd: async (request) => {
      await pendingRecords.get(request.context);
    },
  }).onError((request) => {
    const requestId = request.event.requestContext.requestId;
    deps.logger.error('proxy request failed', {
      requestId,
      error:
        request.error instanceof Error
          ? { name: request.error.name, message: request.error.message, stack: request.error.stack }
          : 'unknown',
    });
    const wireFormat = PROVIDERS[guessProviderFromPath(request.event.path)].wireFormat;
    request.response = proxyErrorResponse(request.error, wireFormat, requestId);
  });
}
