import { InvalidRequestError } from '../errors.ts';

const DAY_SECONDS = 86_400;
/** TTL when the caller sends no `Cache-Control: max-age`. */
export const DEFAULT_CACHE_TTL_SECONDS = 7 * DAY_SECONDS;
/** Longest TTL honoured; larger `max-age` values are capped. */
export const MAX_CACHE_TTL_SECONDS = 365 * DAY_SECONDS;

/**
 * What the caller asked of the response cache. `read-write` (`x-metrion-cache: true`) serves a
 * stored answer or stores the new one; `refresh` always calls the provider and overwrites.
 */
export interface CacheDirective {
  readonly mode: 'read-write' | 'refresh';
  /** How long a stored answer lives; 0 = serve from the cache but store nothing. */
  readonly ttlSeconds: number;
}

/** The response headers that say what the cache did. */
export const CACHE_STATUS_HEADER = 'x-metrion-cache';
export type CacheStatus = 'HIT' | 'MISS' | 'SKIPPED-TOO-LARGE';

function ttlFrom(cacheControl: string | undefined): number {
  const match = /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?\s*(?:,|$)/i.exec(cacheControl ?? '');
  if (match?.[1] === undefined) return DEFAULT_CACHE_TTL_SECONDS;
  return Math.min(Number(match[1]), MAX_CACHE_TTL_SECONDS);
}

/**
 * Reads `x-metrion-cache` (`true` | `refresh`; absent or `false` = no caching) and the TTL from
 * `Cache-Control: max-age=N` (default 7 days, capped at 365 days).
 * @throws InvalidRequestError for any other `x-metrion-cache` value.
 */
export function parseCacheDirective(
  headers: Readonly<Record<string, string>>,
): CacheDirective | undefined {
  const value = headers[CACHE_STATUS_HEADER]?.trim().toLowerCase();
  if (value === undefined || value === '' || value === 'false') return undefined;
  if (value !== 'true' && value !== 'refresh') {
    throw new InvalidRequestError(
      'x-metrion-cache must be "true" (serve from and store in the cache) or "refresh" (call the provider and overwrite the cached answer).',
    );
  }
  return {
    mode: value === 'true' ? 'read-write' : 'refresh',
    ttlSeconds: ttlFrom(headers['cache-control']),
  };
}
