import { responseCacheKey } from '../cache/cache-key.ts';
import { MetrionError } from '../errors.ts';
import type { MonotonicClock } from '../ports/clock.ts';
import { isUsageEndpoint } from '../providers/provider-registry.ts';
import { matchProxyRoute } from '../providers/routes.ts';
import type { RequestTiming } from '../usage/usage-record.ts';
import { type AdmitRequestDeps, admitRequest } from './admit-request.ts';
import { type BufferedRelayDeps, relayBuffered } from './buffered-relay.ts';
import {
  type CachedAnswerDeps,
  type CachedReply,
  type CacheTarget,
  serveFromCache,
} from './cached-answer.ts';
import { COST_HEADER, costHeaderValue } from './cost-header.ts';
import { type OpenUpstreamDeps, openUpstream } from './open-upstream.ts';
import { type IncomingProxyRequest, parseProxyRequest } from './parse-proxy-request.ts';
import { type PhaseTimer, startPhaseTimer } from './phase-timer.ts';
import { serverTimingHeader } from './server-timing.ts';
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
  extends AdmitRequestDeps,
    UsageRecorderDeps,
    CachedAnswerDeps,
    OpenUpstreamDeps,
    BufferedRelayDeps,
    StreamedRelayDeps {
  /** Wall time for windows and records; its monotonic timer for the phases (`server-timing`). */
  readonly clock: MonotonicClock;
}

/**
 * The upstream (or the cache) answered: relay it. `headers` include `server-timing`; `settled`
 * resolves once its usage record is written.
 */
export interface ForwardedOutcome {
  readonly kind: 'forwarded';
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: ReadableStream<Uint8Array> | Uint8Array;
  readonly settled: Promise<void>;
}

/**
 * Metrion refused or could not complete the request. The handler turns `error` into a status
 * and the envelope of the provider the path names, adds `headers` (`server-timing`), then calls
 * `settle(status)` to record it (authenticated only).
 */
export interface FailedOutcome {
  readonly kind: 'failed';
  readonly error: MetrionError;
  readonly headers: Record<string, string>;
  settle(status: number): Promise<void>;
}

export type ProxyOutcome = ForwardedOutcome | FailedOutcome;

export interface ProxyService {
  handle(request: IncomingProxyRequest): Promise<ProxyOutcome>;
}

/**
 * The proxy pipeline: parse -> admit (authentication + limits) -> cache lookup (opt-in) ->
 * forward -> tap usage -> record once (and store the answer when the caller asked for caching).
 * Every answer is timed from arrival to its headers (`server-timing`, and the record's `timing`).
 */
export function createProxyService(deps: ProxyServiceDeps): ProxyService {
  return {
    async handle(request) {
      const timer = startPhaseTimer(deps.clock, request.receivedAtMonotonicMs);
      let attempt: ProxyAttempt | undefined;
      try {
        const route = matchProxyRoute(request.method, request.path);
        if (!isUsageEndpoint(route.endpoint)) {
          // Model lists and token counts: passed through, never recorded.
          const answer = await forwardSideCall(deps, request, route, timer);
          return forwarded({ ...answer, settled: Promise.resolve() }, timer.headersReady());
        }
        const parsed = parseProxyRequest(request);
        // auth+limits: one span of the phase timing. Refused requests are tallied on their
        // window, never recorded as usage: `attempt` is set only after admission let it through.
        const authentication = await timer.time('auth', () =>
          admitRequest(deps, request.headers, parsed.provider),
        );
        attempt = { request, parsed, caller: authentication.caller };
        const cache = cacheTarget(attempt);
        if (cache?.directive.mode === 'read-write') {
          // A hit needs no provider key: nothing is decrypted and nothing goes upstream.
          const hit = await serveFromCache(deps, attempt, cache.key);
          if (hit !== undefined) return fromCache(deps, attempt, hit, timer.headersReady());
        }
        const upstreamKey = await authentication.upstreamKey();
        return await forward(deps, attempt, { upstreamKey, cache, timer });
      } catch (error) {
        if (!(error instanceof MetrionError)) throw error;
        return failed(deps, error, attempt, timer.headersReady());
      }
    },
  };
}

/** An answer with its `server-timing` header (the provider's own is never relayed). */
function forwarded(
  answer: Omit<ForwardedOutcome, 'kind'>,
  timing: RequestTiming,
): ForwardedOutcome {
  return {
    kind: 'forwarded',
    ...answer,
    headers: { ...answer.headers, ...serverTimingHeader(timing) },
  };
}

function fromCache(
  deps: ProxyServiceDeps,
  attempt: ProxyAttempt,
  hit: CachedReply,
  timing: RequestTiming,
): ForwardedOutcome {
  const { result, ...reply } = hit;
  return forwarded({ ...reply, settled: settle(deps, attempt, result, timing) }, timing);
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
  via: {
    readonly upstreamKey: string;
    readonly cache: CacheTarget | undefined;
    readonly timer: PhaseTimer;
  },
): Promise<ForwardedOutcome> {
  const { cache, timer } = via;
  const answer = await openUpstream(deps, attempt, via.upstreamKey, timer);
  if (attempt.parsed.streamed && answer.succeeded) {
    const relay = relayStreamed(deps, attempt, answer, { capture: cache !== undefined });
    // A stream's headers leave now: its timing ends here, before its first event.
    const timing = timer.headersReady();
    return forwarded(
      {
        status: relay.status,
        headers: { ...relay.headers, ...cacheStatusHeader(cache, undefined) },
        body: relay.body,
        settled: relay.settlement.then((settlement) =>
          settleAttempt(deps, attempt, cache, settlement, timing),
        ),
      },
      timing,
    );
  }
  const relay = await relayBuffered(deps, attempt, answer, timer);
  const { settlement } = relay;
  const timing = timer.headersReady();
  return forwarded(
    {
      status: relay.status,
      headers: {
        ...relay.headers,
        ...costHeader(deps, attempt, settlement.result, answer.succeeded),
        ...cacheStatusHeader(cache, settlement.cacheable),
      },
      body: relay.body,
      settled: settleAttempt(deps, attempt, cache, settlement, timing),
    },
    timing,
  );
}

/** The cost is known before a buffered answer's headers leave; only a billable (2xx) one says it. */
function costHeader(
  deps: ProxyServiceDeps,
  attempt: ProxyAttempt,
  result: AttemptResult,
  billable: boolean,
): Record<string, string> {
  return billable
    ? {
        [COST_HEADER]: costHeaderValue(
          buildUsageRecord(attempt, result, deps.prices.current()).costPicoUsd,
        ),
      }
    : {};
}

/** Records an answer that relays nothing to cache (a hit, or Metrion's own error). */
function settle(
  deps: ProxyServiceDeps,
  attempt: ProxyAttempt,
  result: AttemptResult,
  timing: RequestTiming,
) {
  return settleAttempt(deps, attempt, undefined, { result }, timing);
}

function failed(
  deps: ProxyServiceDeps,
  error: MetrionError,
  attempt: ProxyAttempt | undefined,
  timing: RequestTiming,
): FailedOutcome {
  return {
    kind: 'failed',
    error,
    headers: serverTimingHeader(timing),
    settle: (status) =>
      attempt === undefined
        ? Promise.resolve()
        : settle(
            deps,
            attempt,
            {
              status,
              endedAtMs: deps.clock.nowMs(),
              errorSource: 'metrion',
              errorMessage: error.message,
            },
            timing,
          ),
  };
}
