import { CACHE_STATUS_HEADER, type CacheStatus } from '../cache/cache-directive.ts';
import { responseCacheKey } from '../cache/cache-key.ts';
import { createStreamCapture, type StreamCapture } from '../cache/stream-capture.ts';
import { MetrionError, UpstreamUnavailableError } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import { MAX_CACHED_BODY_BYTES } from '../ports/response-cache-store.ts';
import type { TokenCounter } from '../ports/token-counter.ts';
import type { UpstreamClient } from '../ports/upstream-client.ts';
import { isUsageEndpoint, PROVIDERS } from '../providers/provider-registry.ts';
import { matchProxyRoute } from '../providers/routes.ts';
import { estimateUsage } from '../usage/estimate-usage.ts';
import type { TokenUsage } from '../usage/usage-record.ts';
import { createUsageTap } from '../usage/usage-tap.ts';
import { type AdmitRequestDeps, admitRequest } from './admit-request.ts';
import {
  type CachedAnswerDeps,
  type CacheTarget,
  serveFromCache,
  storeAnswer,
} from './cached-answer.ts';
import { COST_HEADER, costHeaderValue } from './cost-header.ts';
import { type IncomingProxyRequest, parseProxyRequest } from './parse-proxy-request.ts';
import { relayStream } from './relay-stream.ts';
import { forwardSideCall } from './side-call.ts';
import { readWhole, sendWithHeaderTimeout } from './upstream-exchange.ts';
import {
  prepareUpstreamRequest,
  selectResponseHeaders,
  type UpstreamOrigins,
} from './upstream-request.ts';
import {
  type AttemptResult,
  buildUsageRecord,
  type ProxyAttempt,
  recordUsage,
  type UsageRecorderDeps,
} from './usage-recorder.ts';

export interface ProxyServiceDeps extends AdmitRequestDeps, UsageRecorderDeps, CachedAnswerDeps {
  readonly upstream: UpstreamClient;
  readonly clock: Clock;
  readonly origins: UpstreamOrigins;
  /** No response headers within this time -> 504. */
  readonly headerTimeoutMs: number;
  /** A stream that sends nothing for this long is closed and recorded. */
  readonly idleTimeoutMs: number;
  /** Counts the tokens of a stream the client left before the provider reported usage. */
  readonly tokenCounter: TokenCounter;
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

/** Non-streamed answers are read whole (to validate and price them); beyond this -> 502. */
const MAX_BUFFERED_RESPONSE_BYTES = 20 * 1024 * 1024;
/** A streamed answer is rebuilt for the cache only up to this many streamed bytes. */
const MAX_CAPTURED_STREAM_BYTES = 8 * MAX_CACHED_BODY_BYTES;

export interface ProxyService {
  handle(request: IncomingProxyRequest): Promise<ProxyOutcome>;
}

/**
 * The proxy pipeline: parse -> admit (authentication + limits) -> cache lookup (opt-in) -> forward ->
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
        // Refused requests are tallied on their window, never recorded as usage: `attempt` is
        // set only after admission let the request through.
        const authentication = await admitRequest(deps, request.headers, parsed.provider);
        const { caller } = authentication;
        attempt = { request, parsed, caller };
        const cache: CacheTarget | undefined = parsed.cache && {
          key: responseCacheKey({
            accountId: caller.account.accountId,
            provider: parsed.provider,
            json: parsed.json,
            headers: request.headers,
          }),
          directive: parsed.cache,
        };
        if (cache?.directive.mode === 'read-write') {
          // A hit needs no provider key: nothing is decrypted and nothing goes upstream.
          const hit = await serveFromCache(deps, attempt, cache.key);
          if (hit !== undefined) return { kind: 'forwarded', ...hit };
        }
        return await forward(deps, attempt, await authentication.upstreamKey(), cache);
      } catch (error) {
        if (!(error instanceof MetrionError)) throw error;
        const failedAttempt = attempt;
        return {
          kind: 'failed',
          error,
          settle: (status) =>
            failedAttempt === undefined
              ? Promise.resolve()
              : recordUsage(deps, failedAttempt, {
                  status,
                  endedAtMs: deps.clock.nowMs(),
                  errorSource: 'metrion',
                  errorMessage: error.message,
                }),
        };
      }
    },
  };
}

async function forward(
  deps: ProxyServiceDeps,
  attempt: ProxyAttempt,
  upstreamKey: string,
  cache: CacheTarget | undefined,
): Promise<ForwardedOutcome> {
  const { parsed, request } = attempt;
  const prepared = prepareUpstreamRequest(
    parsed,
    request.headers,
    request.body,
    upstreamKey,
    deps.origins,
  );
  const abort = new AbortController();
  const response = await sendWithHeaderTimeout(deps, abort, {
    url: prepared.url,
    headers: prepared.headers,
    body: prepared.body,
    signal: abort.signal,
  });
  const headers = selectResponseHeaders(response.headers);
  const succeeded = response.status >= 200 && response.status < 300;
  const tap = createUsageTap({
    wireFormat: parsed.endpoint === 'responses' ? 'openai-responses' : parsed.wireFormat,
    streamed: parsed.streamed && succeeded,
    stripUsageOnlyChunk: prepared.stripUsageOnlyChunk && succeeded,
    maxBodyBytes: MAX_BUFFERED_RESPONSE_BYTES,
  });
  // A streamed answer is rebuilt for the cache from the bytes BEFORE the tap hides anything.
  const capture: StreamCapture | undefined =
    cache && parsed.streamed && succeeded
      ? createStreamCapture(parsed.wireFormat, MAX_CAPTURED_STREAM_BYTES)
      : undefined;
  const tapped = (
    capture ? response.body.pipeThrough(capture.transform) : response.body
  ).pipeThrough(tap.transform);

  if (!(parsed.streamed && succeeded)) {
    const body = await readWhole(tapped, {
      idleTimeoutMs: deps.idleTimeoutMs,
      maxBytes: MAX_BUFFERED_RESPONSE_BYTES,
      tooLargeMessage: 'The provider response is larger than Metrion relays. Use stream: true.',
      abortUpstream: () => abort.abort(),
    });
    const observation = tap.observation();
    if (succeeded && observation.unparseable) {
      throw new UpstreamUnavailableError(
        `${PROVIDERS[parsed.provider].displayName} returned a response Metrion could not read. Retry the request.`,
      );
    }
    const result: AttemptResult = {
      status: response.status,
      endedAtMs: deps.clock.nowMs(),
      usage: observation.usage,
      ...(observation.model === undefined ? {} : { model: observation.model }),
      // A 2xx can still report failure (a Responses API `failed` or `incomplete` response).
      ...(succeeded && observation.providerError === undefined
        ? {}
        : {
            errorSource: 'provider' as const,
            errorMessage: observation.providerError ?? `HTTP ${response.status}`,
          }),
    };
    let cacheStatus: CacheStatus | undefined;
    let stored = Promise.resolve();
    if (cache !== undefined) {
      cacheStatus =
        succeeded && body.byteLength > MAX_CACHED_BODY_BYTES ? 'SKIPPED-TOO-LARGE' : 'MISS';
      if (succeeded && cacheStatus === 'MISS') {
        const contentType = headers['content-type'] ?? 'application/json';
        stored = storeAnswer(
          deps,
          cache,
          { status: response.status, contentType, body },
          request.requestId,
        );
      }
    }
    // The cost is known before the headers leave; only a billable (2xx) answer carries it.
    const cost: Record<string, string> = succeeded
      ? { [COST_HEADER]: costHeaderValue(buildUsageRecord(attempt, result).costPicoUsd) }
      : {};
    return {
      kind: 'forwarded',
      status: response.status,
      headers: {
        ...headers,
        ...cost,
        ...(cacheStatus === undefined ? {} : { [CACHE_STATUS_HEADER]: cacheStatus }),
      },
      body,
      settled: Promise.all([recordUsage(deps, attempt, result), stored]).then(() => undefined),
    };
  }

  let settle: (done: Promise<void>) => void = () => undefined;
  const settled = new Promise<void>((resolve) => {
    settle = (done) => resolve(done);
  });
  const body = relayStream({
    source: tapped,
    wireFormat: parsed.wireFormat,
    idleTimeoutMs: deps.idleTimeoutMs,
    clock: deps.clock,
    abortUpstream: () => abort.abort(),
    onEnd: (end) => {
      const observation = tap.observation();
      // The status went out with the first byte; what went wrong after it is told here.
      const errorMessage =
        end.failure ??
        observation.providerError ??
        (end.clientDisconnected ? 'Client disconnected before the stream ended.' : undefined) ??
        (observation.unparseable
          ? 'The provider sent stream events Metrion could not read; usage may be incomplete.'
          : undefined);
      const errorSource = end.failure || end.clientDisconnected ? 'metrion' : 'provider';
      const rebuilt = end.failure || end.clientDisconnected ? undefined : capture?.result();
      const stored =
        cache && rebuilt && rebuilt.byteLength <= MAX_CACHED_BODY_BYTES
          ? storeAnswer(
              deps,
              cache,
              { status: response.status, contentType: 'application/json', body: rebuilt },
              request.requestId,
            )
          : Promise.resolve();
      const estimate = end.clientDisconnected && !tap.relayed.usageReported();
      const recorded = usageOf(deps, estimate, {
        requestJson: parsed.json,
        observed: observation.usage,
        relayedText: estimate ? tap.relayed.text() : '',
      }).then((usage) =>
        recordUsage(deps, attempt, {
          status: response.status,
          endedAtMs: end.endedAtMs,
          usage: usage ?? observation.usage,
          ...(usage === undefined ? {} : { estimated: true }),
          ...(observation.model === undefined ? {} : { model: observation.model }),
          ...(end.firstByteAtMs === undefined ? {} : { firstByteAtMs: end.firstByteAtMs }),
          ...(errorMessage === undefined ? {} : { errorMessage, errorSource }),
        }),
      );
      settle(Promise.all([recorded, stored]).then(() => undefined));
    },
  });
  return {
    kind: 'forwarded',
    status: response.status,
    headers: cache === undefined ? headers : { ...headers, [CACHE_STATUS_HEADER]: 'MISS' },
    body,
    settled,
  };
}

/**
 * The estimated usage of a stream the client left before the provider reported it; undefined
 * when not estimating, or when counting failed (then what the provider reported is recorded).
 */
async function usageOf(
  deps: ProxyServiceDeps,
  estimate: boolean,
  input: Parameters<typeof estimateUsage>[1],
): Promise<TokenUsage | undefined> {
  if (!estimate) return undefined;
  try {
    return await estimateUsage(deps.tokenCounter, input);
  } catch (error) {
    deps.logger.warn('usage estimate failed', {
      error: error instanceof Error ? error.name : 'unknown',
    });
    return undefined;
  }
}
