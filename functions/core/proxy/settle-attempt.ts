import { CACHE_STATUS_HEADER, type CacheStatus } from '../cache/cache-directive.ts';
import { MAX_CACHED_BODY_BYTES } from '../ports/response-cache-store.ts';
import type { RequestTiming } from '../usage/usage-record.ts';
import { type CachedAnswerDeps, type CacheTarget, storeAnswer } from './cached-answer.ts';
import { type AttemptResult, type ProxyAttempt, recordUsage } from './usage-recorder.ts';

/** A complete 2xx answer the cache may keep: the provider's JSON (a stream's is rebuilt). */
export interface CacheableAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: Uint8Array;
}

/** What a relayed request leaves behind once it ended: its record, and what to cache. */
export interface Settlement {
  readonly result: AttemptResult;
  /** Absent when nothing may be cached (an error, a cut-off or unreadable stream). */
  readonly cacheable?: CacheableAnswer;
}

const fitsCache = (answer: CacheableAnswer): boolean =>
  answer.body.byteLength <= MAX_CACHED_BODY_BYTES;

/**
 * The one place a proxied request ends: its usage record is written (with the `timing` its
 * answer's `server-timing` header carried) and, when the caller opted into the cache, its answer
 * stored. Never rejects (both writes log their own failures).
 */
export async function settleAttempt(
  deps: CachedAnswerDeps,
  attempt: ProxyAttempt,
  cache: CacheTarget | undefined,
  settlement: Settlement,
  timing: RequestTiming,
): Promise<void> {
  const { cacheable } = settlement;
  const stored =
    cache !== undefined && cacheable !== undefined && fitsCache(cacheable)
      ? storeAnswer(deps, cache, cacheable, attempt.request.requestId)
      : Promise.resolve();
  await Promise.all([recordUsage(deps, attempt, { ...settlement.result, timing }), stored]);
}

/**
 * The `x-metrion-cache` header of an answer that was not a hit: none without the opt-in;
 * `SKIPPED-TOO-LARGE` when the answer (known before the headers leave) exceeds an entry; else
 * `MISS`. A stream's size is unknown when its headers leave, so it always says `MISS`.
 */
export function cacheStatusHeader(
  cache: CacheTarget | undefined,
  cacheable: CacheableAnswer | undefined,
): Record<string, string> {
  if (cache === undefined) return {};
  const status: CacheStatus =
    cacheable !== undefined && !fitsCache(cacheable) ? 'SKIPPED-TOO-LARGE' : 'MISS';
  return { [CACHE_STATUS_HEADER]: status };
}
