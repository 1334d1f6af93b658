import { PayloadTooLargeError } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { UpstreamClient } from '../ports/upstream-client.ts';
import type { MatchedProxyRoute } from '../providers/routes.ts';
import { type AdmitRequestDeps, admitRequest } from './admit-request.ts';
import { type IncomingProxyRequest, MAX_PROXY_BODY_BYTES } from './parse-proxy-request.ts';
import type { PhaseTimer } from './phase-timer.ts';
import { sideCallQueryString } from './side-call-query.ts';
import { readWhole, sendWithHeaderTimeout } from './upstream-exchange.ts';
import {
  selectResponseHeaders,
  type UpstreamOrigins,
  upstreamHeaders,
} from './upstream-request.ts';

export interface SideCallDeps extends AdmitRequestDeps {
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
 * the monthly cap is not counted. Its phases are timed like a metered call's.
 * @throws MetrionError (authentication, rate limit, timeout, upstream unavailable)
 */
export async function forwardSideCall(
  deps: SideCallDeps,
  request: IncomingProxyRequest,
  route: MatchedProxyRoute,
  timer: PhaseTimer,
): Promise<SideCallAnswer> {
  if (request.body.byteLength > MAX_PROXY_BODY_BYTES) {
    throw new PayloadTooLargeError(
      `The request body is ${request.body.byteLength} bytes; Metrion accepts at most ${MAX_PROXY_BODY_BYTES}.`,
    );
  }
  const authentication = await timer.time('auth', () =>
    admitRequest(deps, request.headers, route.provider, { monthly: false }),
  );
  const key = await authentication.upstreamKey();
  const abort = new AbortController();
  const response = await timer.time('upstreamHeaders', () =>
    sendWithHeaderTimeout(deps, abort, {
      url: `${deps.origins[route.provider].replace(/\/+$/, '')}${route.upstreamPath}${sideCallQueryString(request.query)}`,
      method: route.method,
      headers: upstreamHeaders(route.provider, request.headers, key),
      body: request.body,
      signal: abort.signal,
    }),
  );
  const body = await timer.time('upstreamBody', () =>
    readWhole(response.body, {
      idleTimeoutMs: deps.idleTimeoutMs,
      maxBytes: MAX_SIDE_CALL_RESPONSE_BYTES,
      tooLargeMessage: 'The provider response is larger than Metrion relays.',
      abortUpstream: () => abort.abort(),
    }),
  );
  return { status: response.status, headers: selectResponseHeaders(response.headers), body };
}
