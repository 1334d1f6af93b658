import type { CachedResponse, ResponseCacheStore } from '#core/ports/response-cache-store.ts';

/** ResponseCacheStore in memory, passing the same contract suite as DynamoResponseCacheStore. */
export class InMemoryResponseCacheStore implements ResponseCacheStore {
  readonly #entries = new Map<
    string,
    { response: CachedResponse; expiresAtEpochSeconds: number }
  >();
  /** How many `get` and `put` calls were made (lets tests prove a path did not touch the cache). */
  gets = 0;
  puts = 0;

  async get(key: string, nowMs: number): Promise<CachedResponse | undefined> {
    this.gets += 1;
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.expiresAtEpochSeconds * 1000 <= nowMs) return undefined;
    return structuredClone(entry.response);
  }

  async put(key: string, response: CachedResponse, expiresAtEpochSeconds: number): Promise<void> {
    this.puts += 1;
    this.#entries.set(key, { response: structuredClone(response), expiresAtEpochSeconds });
  }
}
