import { effectivePlan } from '../billing/billing-state.ts';
import { responseCacheKey } from '../cache/cache-key.ts';
import { MetrionError } from '../errors.ts';
import { enforceRequestLimits, type RequestLimitsDeps } from '../limits/request-limits.ts';
import type { Clock } from '../ports/clock.ts';
import { isUsageEndpoint } from '../providers/provider-registry.ts';
import { matchProxyRoute } from '../providers/routes.ts';
import { type AuthenticateDeps, authenticate } from './authenticate.ts';
import { type BufferedRelayDeps, relayBuffered } from './buffered-relay.ts';
import { type CachedAnswerDeps, type CacheTarget, serveFromCache } from './cached-answer.ts';
import { COST_HEADER, costHeaderValue } from './cost-header.ts';
import { type OpenUpstreamDeps, openUpstream } from './open-upstream.ts';
import { type IncomingProxyRequest, parseProxyRequest } from './parse-proxy-request.ts';
import { cacheStatusHeader, settleAttempt } from './settle-attempt.ts';
import { forwardSideCall } from './side-call.ts';
import { relayStreamed, type StreamedRelayDeps } from './streamed-relay.ts';
import {
  type AttemptResult,
  buildUsageRecord,
  type ProxyAttempt,
  type UsageRecorderDeps,
} from './usage-recorder.ts';

export interface ProxyServiceDeps
  extends AuthenticateDeps,
    UsageRecorderDeps,
    RequestLimitsDeps,
    CachedAnswerDeps,
    OpenUpstreamDeps,
    BufferedRelayDeps,
    StreamedRelayDeps {
  readonly clock: Clock;
}

/** The upstream answered: relay it. `settled` resolves once its usage record is written. */
export interface ForwardedOutcome {
  readonly kind: 'forwarded';
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: ReadableStream<Uint8Array> | Uint8Array;
  readonly settled: Promise<void>;
}

/**
 * Metrion refused or could not complete the request. The handler turns `error` into a status
 * and the envelope of the provider the path names, then calls `settle(status)` to record it
 * (authenticated only).
 */
export interface FailedOutcome {
  readonly kind: 'failed';
  readonly error: MetrionError;
  settle(status: number): Promise<void>;
}

export type ProxyOutcome = ForwardedOutcome | FailedOutcome;

export interface ProxyService {
  handle(request: IncomingProxyRequest): Promise<ProxyOutcome>;
}

/**
 * The proxy pipeline: parse -> authenticate -> limits -> cache lookup (opt-in) -> forward ->
 * tap usage -> record once (and store the answer when the caller asked for caching).
 */
export function createProxyService(deps: ProxyServiceDeps): ProxyService {
  return {
    async handle(request) {
      let attempt: ProxyAttempt | undefined;
      try {
        const route = matchProxyRoute(request.method, request.path);
        if (!isUsageEndpoint(route.endpoint)) {
          // Model lists and token counts: passed through, never recorded.
          const answer = await forwardSideCall(deps, request, route);
          return { kind: 'forwarded', ...answer, settled: Promise.resolve() };
        }
        const parsed = parseProxyRequest(request);
        const authentication = await authenticate(deps, request.headers, parsed.provider);
        const { caller } = authentication;
        // Refused requests are counted on the counter, never recorded as usage: `attempt` is
        // set only after the limits let the request through.
        await enforceRequestLimits(deps, {
          accountId: caller.account.accountId,
          // Billing decides (a canceled period ends Pro at its end, webhook or not).
          plan: effectivePlan(caller.account, deps.clock.nowMs()),
          keyDigest: caller.keyDigest,
        });
        attempt = { request, parsed, caller };
        const cache = cacheTarget(attempt);
        if (cache?.directive.mode === 'read-write') {
          // A hit needs no provider key: nothing is decrypted and nothing goes upstream.
          const hit = await serveFromCache(deps, attempt, cache.key);
          if (hit !== undefined) {
            const { result, ...reply } = hit;
            return { kind: 'forwarded', ...reply, settled: settle(deps, attempt, result) };
          }
        }
        return await forward(deps, attempt, await authentication.upstreamKey(), cache);
      } catch (error) {
        if (!(error instanceof MetrionError)) throw error;
        return failed(deps, error, attempt);
      }
    },
  };
}

/** The cache entry the request reads and writes, when the caller opted in. */
function cacheTarget(attempt: ProxyAttempt): CacheTarget | undefined {
  const { request, parsed, caller } = attempt;
  return (
    parsed.cache && {
      key: responseCacheKey({
        accountId: caller.account.accountId,
        provider: parsed.provider,
        json: parsed.json,
        headers: request.headers,
      }),
      directive: parsed.cache,
    }
  );
}

/**
 * Sends the attempt upstream and relays the answer: a 2xx stream live, anything else read whole.
 * Either way the record and the cache entry are written by `settleAttempt` alone.
 */
async function forward(
  deps: ProxyServiceDeps,
  attempt: ProxyAttempt,
  upstreamKey: string,
  cache: CacheTarget | undefined,
): Promise<ForwardedOutcome> {
  const answer = await openUpstream(deps, attempt, upstreamKey);
  if (attempt.parsed.streamed && answer.succeeded) {
    const relay = relayStreamed(deps, attempt, answer, { capture: cache !== undefined });
    return {
      kind: 'forwarded',
      status: relay.status,
      headers: { ...relay.headers, ...cacheStatusHeader(cache, undefined) },
      body: relay.body,
      settled: relay.settlement.then((settlement) =>
        settleAttempt(deps, attempt, cache, settlement),
      ),
    };
  }
  const relay = await relayBuffered(deps, attempt, answer);
  const { settlement } = relay;
  return {
    kind: 'forwarded',
    status: relay.status,
    headers: {
      ...relay.headers,
      ...costHeader(attempt, settlement.result, answer.succeeded),
      ...cacheStatusHeader(cache, settlement.cacheable),
    },
    body: relay.body,
    settled: settleAttempt(deps, attempt, cache, settlement),
  };
}

/** The cost is known before a buffered answer's headers leave; only a billable (2xx) one says it. */
function costHeader(
  attempt: ProxyAttempt,
  result: AttemptResult,
  billable: boolean,
): Record<string, string> {
  return billable
    ? { [COST_HEADER]: costHeaderValue(buildUsageRecord(attempt, result).costPicoUsd) }
    : {};
}

/** Records an answer that relays nothing to cache (a hit, or Metrion's own error). */
function settle(deps: ProxyServiceDeps, attempt: ProxyAttempt, result: AttemptResult) {
  return settleAttempt(deps, attempt, undefined, { result });
}

function failed(
  deps: ProxyServiceDeps,
  error: MetrionError,
  attempt: ProxyAttempt | undefined,
): FailedOutcome {
  return {
    kind: 'failed',
    error,
    settle: (status) =>
      attempt === undefined
        ? Promise.resolve()
        : settle(deps, attempt, {
            status,
            endedAtMs: deps.clock.nowMs(),
            errorSource: 'metrion',
            errorMessage: error.message,
          }),
  };
}
