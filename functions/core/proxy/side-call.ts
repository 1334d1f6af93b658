import { effectivePlan } from '../billing/billing-state.ts';
import {
  MetrionError,
  PayloadTooLargeError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from '../errors.ts';
import { enforceRequestLimits, type RequestLimitsDeps } from '../limits/request-limits.ts';
import type { Clock } from '../ports/clock.ts';
import type { UpstreamClient } from '../ports/upstream-client.ts';
import type { MatchedProxyRoute } from '../providers/routes.ts';
import { type AuthenticateDeps, authenticate } from './authenticate.ts';
import { type IncomingProxyRequest, MAX_PROXY_BODY_BYTES } from './parse-proxy-request.ts';
import { formatSeconds, readWithin } from './read-within.ts';
import {
  selectResponseHeaders,
  type UpstreamOrigins,
  upstreamHeaders,
} from './upstream-request.ts';

export interface SideCallDeps extends AuthenticateDeps, RequestLimitsDeps {
  readonly upstream: UpstreamClient;
  readonly clock: Clock;
  readonly origins: UpstreamOrigins;
  readonly headerTimeoutMs: number;
  readonly idleTimeoutMs: number;
}

export interface SideCallAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}

/** Side-call answers (model lists, token counts) are small; larger ones are refused. */
const MAX_SIDE_CALL_RESPONSE_BYTES = 4 * 1024 * 1024;

/**
 * A call an SDK makes besides the metered ones (`GET /v1/models`, `GET /v1/models/{id}`,
 * Anthropic `POST /v1/messages/count_tokens`): authenticated and rate limited like any proxy
 * call, then passed through unchanged (status, body). It is no usage: nothing is recorded and
 * the monthly cap is not counted.
 * @throws MetrionError (authentication, rate limit, timeout, upstream unavailable)
 */
export async function forwardSideCall(
  deps: SideCallDeps,
  request: IncomingProxyRequest,
  route: MatchedProxyRoute,
): Promise<SideCallAnswer> {
  if (request.body.byteLength > MAX_PROXY_BODY_BYTES) {
    throw new PayloadTooLargeError(
      `The request body is ${request.body.byteLength} bytes; Metrion accepts at most ${MAX_PROXY_BODY_BYTES}.`,
    );
  }
  const authentication = await authenticate(deps, request.headers, route.provider);
  const { caller } = authentication;
  await enforceRequestLimits(
    deps,
    {
      accountId: caller.account.accountId,
      plan: effectivePlan(caller.account, deps.clock.nowMs()),
      keyDigest: caller.keyDigest,
    },
    { monthly: false },
  );
  const key = await authentication.upstreamKey();
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, deps.headerTimeoutMs);
  const timeoutError = () =>
    new UpstreamTimeoutError(
      `The provider sent no response within ${formatSeconds(deps.headerTimeoutMs)}. Retry the request.`,
    );
  let response: Awaited<ReturnType<UpstreamClient['send']>>;
  try {
    response = await deps.upstream.send({
      url: `${deps.origins[route.provider].replace(/\/+$/, '')}${route.upstreamPath}`,
      method: route.method,
      headers: upstreamHeaders(route.provider, request.headers, key),
      body: request.body,
      signal: abort.signal,
    });
  } catch (error) {
    if (timedOut) throw timeoutError();
    if (error instanceof MetrionError) throw error;
    throw new UpstreamUnavailableError('Metrion could not reach the provider. Retry the request.');
  } finally {
    clearTimeout(timer);
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    for (;;) {
      const { done, value } = await readWithin(reader.read(), deps.idleTimeoutMs, () =>
        timeoutError(),
      );
      if (done) break;
      length += value.byteLength;
      if (length > MAX_SIDE_CALL_RESPONSE_BYTES) {
        throw new UpstreamUnavailableError('The provider response is larger than Metrion relays.');
      }
      chunks.push(value);
    }
  } catch (error) {
    abort.abort();
    reader.cancel().catch(() => undefined);
    if (error instanceof MetrionError) throw error;
    throw new UpstreamUnavailableError(
      'The connection to the provider broke before the answer was complete. Retry the request.',
    );
  }
  const body = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { status: response.status, headers: selectResponseHeaders(response.headers), body };
}
