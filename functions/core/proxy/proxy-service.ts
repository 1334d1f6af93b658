import { maxRequestCost } from '../budgets/max-cost.ts';
import type { MaxCost } from '../budgets/reservation.ts';
import { responseCacheKey } from '../cache/cache-key.ts';
import {
  AuthenticationError,
  asMetrionError,
  BudgetExceededError,
  type MetrionError,
} from '../errors.ts';
import type { MonotonicClock } from '../ports/clock.ts';
import type { PriceSource } from '../pricing/live-prices.ts';
import {
  PROVIDERS,
  type ProviderId,
  type ProxyEndpoint,
  type WireFormat,
} from '../providers/provider-registry.ts';
import { resolveProxyRoute } from '../providers/resolve-proxy-route.ts';
import { isUsageRoute, type MatchedProxyRoute } from '../providers/routes.ts';
import { type IssuedTrace, issueTrace, type TraceAttemptDeps } from '../traces/request-trace.ts';
import type { RequestTiming } from '../usage/usage-record.ts';
import {
  type AdmitRequestDeps,
  admitRequest,
  type BudgetedRequest,
  type PresentedKey,
  RefusedByBudget,
} from './admit-request.ts';
import { AdmittedAccounts } from './admitted-accounts.ts';
import { type BufferedRelayDeps, relayBuffered } from './buffered-relay.ts';
import {
  type CachedAnswerDeps,
  type CachedReply,
  type CacheTarget,
  serveFromCache,
} from './cached-answer.ts';
import { COST_HEADER, costHeaderValue } from './cost-header.ts';
import { type OpenUpstreamDeps, openUpstream } from './open-upstream.ts';
import {
  type IncomingProxyRequest,
  type ParsedProxyRequest,
  parseProxyRequest,
} from './parse-proxy-request.ts';
import { type PhaseTimer, startPhaseTimer } from './phase-timer.ts';
import { describeRefusal, recordRefusal, refusalKind } from './refusal.ts';
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
    StreamedRelayDeps,
    TraceAttemptDeps {
  /** Wall time for windows and records; its monotonic timer for the phases (`server-timing`). */
  readonly clock: MonotonicClock;
  /** Prices for the record (`current`) and, before the provider answered, the trace (`inUse`). */
  readonly prices: Pick<PriceSource, 'current' | 'inUse'>;
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
 * Metrion refused or could not complete the request. The handler answers `error` (its code's
 * status; an unexpected failure is an InternalError, a 500) in `wireFormat`'s envelope with
 * `headers` (`server-timing`), and once that answer has left calls `settle(status)` to record it.
 */
export interface FailedOutcome {
  readonly kind: 'failed';
  readonly error: MetrionError;
  /** The envelope of the provider the path names (or most likely meant), for the caller's SDK. */
  readonly wireFormat: WireFormat;
  readonly headers: Record<string, string>;
  /** Writes the Logs row when the account is known (never for 401s and 429s). Never rejects. */
  settle(status: number): Promise<void>;
}

export type ProxyOutcome = ForwardedOutcome | FailedOutcome;

export interface ProxyService {
  /** Never rejects: every failure, expected or not, is a {@link FailedOutcome}. */
  handle(request: IncomingProxyRequest): Promise<ProxyOutcome>;
}

/** Writes a failed request's Logs row, given how it ended. */
type FailureRecorder = (result: AttemptResult) => Promise<void>;

const NOT_RECORDED: FailureRecorder = async () => undefined;

/** Answers a failure in one envelope, timed up to now. */
type Fail = (error: unknown, record: FailureRecorder) => FailedOutcome;

/**
 * The proxy pipeline: resolve the route -> validate -> admit (authentication + limits) -> cache
 * lookup (opt-in) -> forward -> tap usage -> record once (and store the answer when the caller
 * asked for caching). Validation comes first: a refused request is answered without waiting on
 * any store, and its Logs row is written after the answer. Every answer is timed from arrival to
 * its headers (`server-timing`, and the record's `timing`).
 */
export function createProxyService(deps: ProxyServiceDeps): ProxyService {
  const accounts = new AdmittedAccounts();
  return {
    async handle(request) {
      const timer = startPhaseTimer(deps.clock, request.receivedAtMonotonicMs);
      const resolved = resolveProxyRoute(request.method, request.path);
      const wireFormat = PROVIDERS[resolved.provider].wireFormat;
      const fail: Fail = (error, record) =>
        failed(deps, asMetrionError(error, request.requestId), wireFormat, timer, record);
      if (resolved.kind === 'unmatched') {
        return fail(resolved.error, refusalRecorder(deps, request, resolved));
      }
      const { route } = resolved;
      if (!isUsageRoute(route)) return sideCall(deps, request, route, timer, fail);
      let parsed: ParsedProxyRequest;
      try {
        parsed = parseProxyRequest(request, route);
      } catch (error) {
        return fail(error, refusalRecorder(deps, request, route));
      }
      return admitAndForward(deps, accounts, request, parsed, timer, fail);
    },
  };
}

/** Model lists and token counts: passed through, never recorded (refused or not). */
async function sideCall(
  deps: ProxyServiceDeps,
  request: IncomingProxyRequest,
  route: MatchedProxyRoute,
  timer: PhaseTimer,
  fail: Fail,
): Promise<ProxyOutcome> {
  try {
    const answer = await forwardSideCall(deps, request, route, timer);
    return forwarded({ ...answer, settled: Promise.resolve() }, timer.headersReady());
  } catch (error) {
    return fail(error, NOT_RECORDED);
  }
}

/**
 * A validated request: admitted, then served from the cache or the provider. Its trace is stored
 * before the upstream call (the provider may bill from then on), issued in parallel with the
 * admission write when this process has admitted the key before, else in parallel with opening
 * the provider key: either way no store round trip is added before the provider. A request that
 * then does not go upstream discards its trace.
 */
async function admitAndForward(
  deps: ProxyServiceDeps,
  accounts: AdmittedAccounts,
  request: IncomingProxyRequest,
  parsed: ParsedProxyRequest,
  timer: PhaseTimer,
  fail: Fail,
): Promise<ProxyOutcome> {
  let attempt: ProxyAttempt | undefined;
  let presented: PresentedKey | undefined;
  let trace: IssuedTrace | undefined;
  const discardTrace = async () => {
    await trace?.discard();
  };
  try {
    // auth+limits+budgets: one span of the phase timing. Requests refused by a limit are
    // tallied on their window, never recorded as usage: `attempt` is set only after admission
    // let it through, or a budget refused it (that refusal has a Logs row).
    const budgeted = budgetedRequest(deps, request, parsed);
    const alongside = (key: PresentedKey) => {
      presented = key;
      const account = accounts.get(key.keyDigest);
      if (account === undefined) return;
      trace = issueTrace(deps, { request, parsed, caller: { account, ...key } });
    };
    const authentication = await timer
      .time('auth', () =>
        admitRequest(deps, request.headers, parsed.provider, { budgeted, alongside }),
      )
      .catch((error: unknown) => {
        if (error instanceof AuthenticationError && presented !== undefined) {
          accounts.forget(presented.keyDigest);
        }
        if (!(error instanceof RefusedByBudget)) throw error;
        attempt = { request, parsed, caller: error.caller };
        throw error.error;
      });
    const { caller } = authentication;
    accounts.remember(caller.keyDigest, caller.account);
    attempt = { request, parsed, caller };
    const cache = cacheTarget(attempt);
    if (cache?.directive.mode === 'read-write') {
      // A hit needs no provider key: nothing is decrypted and nothing goes upstream.
      const hit = await serveFromCache(deps, attempt, cache.key);
      if (hit !== undefined) {
        return fromCache(deps, attempt, hit, timer.headersReady(), discardTrace());
      }
    }
    trace ??= issueTrace(deps, attempt);
    const [upstreamKey] = await Promise.all([authentication.upstreamKey(), trace.stored]);
    // From here on the provider may bill: the trace stays until the sweeper has seen the record.
    trace = undefined;
    return await forward(deps, attempt, { upstreamKey, cache, timer });
  } catch (error) {
    const admitted = attempt;
    // Discarded now, while the answer is being sent: the shorter a trace of a request that never
    // went upstream lives, the smaller the window in which a death turns it into a record.
    const discarded = discardTrace();
    return fail(error, async (result) => {
      await Promise.all([
        admitted === undefined ? undefined : settle(deps, admitted, result, timer.headersReady()),
        discarded,
      ]);
    });
  }
}

/** What the budgets see of the request; its maximum cost is worked out only if one asks. */
function budgetedRequest(
  deps: ProxyServiceDeps,
  request: IncomingProxyRequest,
  parsed: ParsedProxyRequest,
): BudgetedRequest {
  return {
    requestId: request.requestId,
    scoped: parsed,
    maxCost: memoized(() =>
      maxRequestCost(parsed, request.body.byteLength, request.receivedAtMs, deps.prices.current()),
    ),
  };
}

function memoized(compute: () => MaxCost): () => MaxCost {
  let value: MaxCost | undefined;
  return () => {
    value ??= compute();
    return value;
  };
}

/**
 * The Logs row of a request refused before admission, written after its answer (the account is
 * looked up only then); none for a side call.
 */
function refusalRecorder(
  deps: ProxyServiceDeps,
  request: IncomingProxyRequest,
  route: { readonly provider: ProviderId; readonly endpoint: ProxyEndpoint | undefined },
): FailureRecorder {
  const kind = refusalKind(route.endpoint);
  if (kind === undefined) return NOT_RECORDED;
  return (result) =>
    recordRefusal(deps, request, describeRefusal(request, route.provider, kind), result);
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

/** A hit: its record is written, and its trace (when one was written) discarded. */
function fromCache(
  deps: ProxyServiceDeps,
  attempt: ProxyAttempt,
  hit: CachedReply,
  timing: RequestTiming,
  traceDiscarded: Promise<void>,
): ForwardedOutcome {
  const { result, ...reply } = hit;
  const settled = Promise.all([settle(deps, attempt, result, timing), traceDiscarded]).then(
    () => undefined,
  );
  return forwarded({ ...reply, settled }, timing);
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
  wireFormat: WireFormat,
  timer: PhaseTimer,
  record: FailureRecorder,
): FailedOutcome {
  const timing = timer.headersReady();
  return {
    kind: 'failed',
    error,
    wireFormat,
    headers: serverTimingHeader(timing),
    settle: (status) =>
      record({
        status,
        endedAtMs: deps.clock.nowMs(),
        errorSource: 'metrion',
        errorMessage: error.message,
        timing,
        // Its 4xx are refusals before any upstream call (a provider's own 4xx is relayed).
        refused: status < 500,
        ...(error instanceof BudgetExceededError
          ? { blockedBy: { budgetId: error.budgetId, budgetName: error.budgetName } }
          : {}),
      }),
  };
}
