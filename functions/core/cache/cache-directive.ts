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

/** @throws InvalidRequestError when a `max-age` directive is there but not `max-age=<seconds>`. */
function ttlFrom(cacheControl: string | undefined): number {
  const directive = (cacheControl ?? '')
    .split(',')
    .map((part) => part.trim())
    .find((part) => /^max-age(?:\s*=|$)/i.test(part));
  if (directive === undefined) return DEFAULT_CACHE_TTL_SECONDS;
  const match = /^max-age\s*=\s*(?:(\d+)|"(\d+)")$/i.exec(directive);
  const seconds = match?.[1] ?? match?.[2];
  if (seconds === undefined) {
    throw new InvalidRequestError(
      `Cache-Control "${directive}" is not valid with x-metrion-cache: send max-age=<seconds> (a whole number, 0 to store nothing), or leave it out for 7 days.`,
    );
  }
  return Math.min(Number(seconds), MAX_CACHE_TTL_SECONDS);
}

/**
 * Reads `x-metrion-cache` (`true` | `refresh`; absent or `false` = no caching) and the TTL from
 * `Cache-Control: max-age=N` (default 7 days, capped at 365 days).
 * @throws InvalidRequestError for any other `x-metrion-cache` value, or an invalid `max-age`.
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
