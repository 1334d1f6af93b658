import { randomUUID } from 'node:crypto';
import { beforeEach, expect, it } from 'vitest';
import type { CounterStore } from '#core/ports/counter-store.ts';

const NOW_MS = Date.parse('2026-11-24T12:00:30.000Z');
const LATER = NOW_MS / 1000 + 3600;

/**
 * The CounterStore contract: every implementation (in-memory fake, DynamoCounterStore) must
 * pass it. Tests use fresh keys, so the underlying table may be shared.
 */
export function counterStoreContract(createStore: () => CounterStore | Promise<CounterStore>) {
  let store: CounterStore;
  let key: string;

  beforeEach(async () => {
    store = await createStore();
    key = `TEST#${randomUUID()}`;
  });

  it('counts up to the limit and refuses from then on', async () => {
    const results: boolean[] = [];
    for (let i = 0; i < 5; i += 1) results.push(await store.incrementIfBelow(key, 3, LATER));

    expect(results).toEqual([true, true, true, false, false]);
    expect(await store.read(key, NOW_MS)).toEqual({ count: 3, rejected: 0 });
  });

  it('lets exactly `limit` of 150 concurrent increments through', async () => {
    const results = await Promise.all(
      Array.from({ length: 150 }, () => store.incrementIfBelow(key, 100, LATER)),
    );

    expect(results.filter(Boolean)).toHaveLength(100);
    expect((await store.read(key, NOW_MS)).count).toBe(100);
  });

  it('keeps counters of different keys apart', async () => {
    const other = `TEST#${randomUUID()}`;
    expect(await store.incrementIfBelow(key, 1, LATER)).toBe(true);
    expect(await store.incrementIfBelow(key, 1, LATER)).toBe(false);
    expect(await store.incrementIfBelow(other, 1, LATER)).toBe(true);
  });

  it('refuses everything when the limit is 0', async () => {
    expect(await store.incrementIfBelow(key, 0, LATER)).toBe(false);
    expect((await store.read(key, NOW_MS)).count).toBe(0);
  });

  it('tallies refusals without touching the count', async () => {
    await store.incrementIfBelow(key, 1, LATER);
    await store.countRejection(key, LATER);
    await store.countRejection(key, LATER);

    expect(await store.read(key, NOW_MS)).toEqual({ count: 1, rejected: 2 });
    expect(await store.incrementIfBelow(key, 2, LATER)).toBe(true);
  });

  it('tallies a refusal on a counter that does not exist yet', async () => {
    await store.countRejection(key, LATER);
    expect(await store.read(key, NOW_MS)).toEqual({ count: 0, rejected: 1 });
  });

  it('reads zeros for a missing counter and for one past its expiry', async () => {
    expect(await store.read(key, NOW_MS)).toEqual({ count: 0, rejected: 0 });
    await store.incrementIfBelow(key, 5, NOW_MS / 1000 + 10);
    expect((await store.read(key, NOW_MS)).count).toBe(1);
    expect(await store.read(key, NOW_MS + 10_000)).toEqual({ count: 0, rejected: 0 });
  });
}
