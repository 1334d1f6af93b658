/**
 * Largest response body the cache stores. A DynamoDB item holds at most 400 KB including
 * attribute names and the other (small) attributes; this leaves room for them. The contract
 * suite proves every adapter stores a body of exactly this size.
 */
export const MAX_CACHED_BODY_BYTES = 390_000;

/** A cached provider answer: always the non-streamed JSON form, always a 2xx. */
export interface CachedResponse {
  readonly status: number;
  readonly contentType: string;
  /** The provider's JSON body, byte for byte. At most {@link MAX_CACHED_BODY_BYTES}. */
  readonly body: Uint8Array;
  /** When the answer was stored (ms since the epoch); gives the `age` of a hit. */
  readonly storedAtMs: number;
}

/** Opt-in response cache entries, keyed by a SHA-256 the core computes (`core/cache/cache-key.ts`). */
export interface ResponseCacheStore {
  /** The entry, or undefined when there is none or it expired at `nowMs` (TTL deletes lazily). */
  get(key: string, nowMs: number): Promise<CachedResponse | undefined>;
  /** Stores or overwrites the entry; it expires at `expiresAtEpochSeconds`. */
  put(key: string, response: CachedResponse, expiresAtEpochSeconds: number): Promise<void>;
}
