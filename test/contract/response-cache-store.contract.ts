import { randomBytes, randomUUID } from 'node:crypto';
import { beforeEach, expect, it } from 'vitest';
import {
  type CachedResponse,
  MAX_CACHED_BODY_BYTES,
  type ResponseCacheStore,
} from '#core/ports/response-cache-store.ts';

const NOW_MS = Date.parse('2026-11-24T12:00:00.000Z');
const IN_A_WEEK = NOW_MS / 1000 + 7 * 86_400;

function response(text: string, storedAtMs = NOW_MS): CachedResponse {
  return {
    status: 200,
    contentType: 'application/json',
    body: new TextEncoder().encode(text),
    storedAtMs,
  };
}

/**
 * The ResponseCacheStore contract: every implementation (in-memory fake,
 * DynamoResponseCacheStore) must pass it. Tests use fresh keys, so tables may be shared.
 */
export function responseCacheStoreContract(
  createStore: () => ResponseCacheStore | Promise<ResponseCacheStore>,
) {
  let store: ResponseCacheStore;
  let key: string;

  beforeEach(async () => {
    store = await createStore();
    key = randomUUID().replaceAll('-', '');
  });

  it('returns what was stored, byte for byte', async () => {
    const stored = response('{"id":"chatcmpl-1","text":"Grüße 👋"}');
    await store.put(key, stored, IN_A_WEEK);

    const read = await store.get(key, NOW_MS);

    expect(read).toEqual(stored);
    expect(read?.body).toBeInstanceOf(Uint8Array);
  });

  it('returns undefined for a key never stored', async () => {
    expect(await store.get(key, NOW_MS)).toBeUndefined();
  });

  it('treats an entry as gone once its expiry has passed', async () => {
    await store.put(key, response('{}'), NOW_MS / 1000 + 60);

    expect(await store.get(key, NOW_MS + 59_000)).toBeDefined();
    expect(await store.get(key, NOW_MS + 60_000)).toBeUndefined();
  });

  it('overwrites an entry (refresh)', async () => {
    await store.put(key, response('{"v":1}'), IN_A_WEEK);
    await store.put(key, response('{"v":2}', NOW_MS + 5), IN_A_WEEK);

    const read = await store.get(key, NOW_MS);

    expect(new TextDecoder().decode(read?.body)).toBe('{"v":2}');
    expect(read?.storedAtMs).toBe(NOW_MS + 5);
  });

  it(`stores a body of MAX_CACHED_BODY_BYTES (${MAX_CACHED_BODY_BYTES}) bytes`, async () => {
    const body = randomBytes(MAX_CACHED_BODY_BYTES);
    await store.put(key.padEnd(64, '0'), { ...response(''), body }, IN_A_WEEK);

    const read = await store.get(key.padEnd(64, '0'), NOW_MS);

    expect(Buffer.from(read?.body ?? []).equals(body)).toBe(true);
  });
}
