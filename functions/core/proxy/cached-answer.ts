import { CACHE_STATUS_HEADER, type CacheDirective } from '../cache/cache-directive.ts';
import { replayAsSse } from '../cache/replay-stream.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { CachedResponse, ResponseCacheStore } from '../ports/response-cache-store.ts';
import { createUsageAccumulator } from '../usage/extract-usage.ts';
import { COST_HEADER, costHeaderValue } from './cost-header.ts';
import type { AttemptResult, ProxyAttempt, UsageRecorderDeps } from './usage-recorder.ts';

export interface CachedAnswerDeps extends UsageRecorderDeps {
  readonly responseCache: ResponseCacheStore;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** The cache entry a request reads and writes, and for how long a write keeps it. */
export interface CacheTarget {
  readonly key: string;
  readonly directive: CacheDirective;
}

/** A cached answer ready to send: what the handler turns into the response. */
export interface CachedReply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: ReadableStream<Uint8Array> | Uint8Array;
  /** What the hit's usage record says (the caller records it). */
  readonly result: AttemptResult;
}

const SSE_CONTENT_TYPE = 'text/event-stream; charset=utf-8';

function streamOfEvents(events: readonly string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const event of events) controller.enqueue(encoder.encode(event));
      controller.close();
    },
  });
}

/**
 * Serves the request from the cache when an entry exists: the stored JSON as is, or replayed as
 * the provider's SSE events when the caller asked for `stream: true`. The hit's result says
 * `cached: true` (cost 0); its token counts are those of the answer served. A cache that
 * cannot be read, or an entry that cannot be replayed, counts as a miss (logged, never fatal).
 */
export async function serveFromCache(
  deps: CachedAnswerDeps,
  attempt: ProxyAttempt,
  key: string,
): Promise<CachedReply | undefined> {
  let entry: CachedResponse | undefined;
  try {
    entry = await deps.responseCache.get(key, deps.clock.nowMs());
  } catch (error) {
    deps.logger.warn('response cache unavailable; calling the provider', {
      requestId: attempt.request.requestId,
      error: error instanceof Error ? error.name : 'unknown',
    });
    return undefined;
  }
  if (entry === undefined) return undefined;

  const { parsed } = attempt;
  const events = parsed.streamed
    ? replayAsSse(parsed.wireFormat, entry.body, parsed.callerWantsStreamUsage)
    : undefined;
  if (parsed.streamed && events === undefined) return undefined;

  const accumulator = createUsageAccumulator(parsed.wireFormat);
  accumulator.addJsonBody(new TextDecoder().decode(entry.body));
  const observation = accumulator.observation();
  const nowMs = deps.clock.nowMs();
  return {
    status: entry.status,
    headers: {
      'content-type': events === undefined ? entry.contentType : SSE_CONTENT_TYPE,
      [CACHE_STATUS_HEADER]: 'HIT',
      // A hit costs nothing, and that is known before the first byte (streamed replay too).
      [COST_HEADER]: costHeaderValue(0n),
      age: String(Math.max(0, Math.floor((nowMs - entry.storedAtMs) / 1000))),
    },
    body: events === undefined ? entry.body : streamOfEvents(events),
    result: {
      status: entry.status,
      endedAtMs: nowMs,
      firstByteAtMs: nowMs,
      usage: observation.usage,
      model: observation.model,
      cached: true,
    },
  };
}

/**
 * Stores a 2xx answer for `directive.ttlSeconds` (nothing when it is 0). Never throws: a failed
 * write is logged, because the caller already has the answer.
 */
export async function storeAnswer(
  deps: CachedAnswerDeps,
  target: CacheTarget,
  answer: { readonly status: number; readonly contentType: string; readonly body: Uint8Array },
  requestId: string,
): Promise<void> {
  if (target.directive.ttlSeconds <= 0) return;
  const nowMs = deps.clock.nowMs();
  try {
    await deps.responseCache.put(
      target.key,
      { ...answer, storedAtMs: nowMs },
      Math.floor(nowMs / 1000) + target.directive.ttlSeconds,
    );
  } catch (error) {
    deps.logger.warn('response cache write failed', {
      requestId,
      error: error instanceof Error ? error.name : 'unknown',
    });
  }
}
