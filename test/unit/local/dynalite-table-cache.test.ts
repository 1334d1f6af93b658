import { describe, expect, it } from 'vitest';
import { cacheTableReads, type TableStore } from '#local/dynalite-table-cache.ts';

/** A table store in memory that counts its reads and can hold a read back. */
function fakeStore() {
  const tables = new Map<string, unknown>();
  const held: (() => void)[] = [];
  let reads = 0;
  let holdReads = false;
  const store: TableStore = {
    get(name, callback) {
      reads += 1;
      // The value as stored when the read began.
      const value = structuredClone(tables.get(name));
      const answer = () => callback(null, value);
      if (holdReads) held.push(answer);
      else setImmediate(answer);
    },
    put(name, value, callback) {
      tables.set(name, structuredClone(value));
      setImmediate(() => callback(null));
    },
    del(name, callback) {
      tables.delete(name);
      setImmediate(() => callback(null));
    },
    batch(_operations, callback) {
      setImmediate(() => callback(null));
    },
  };
  return {
    store,
    reads: () => reads,
    hold: (on: boolean) => {
      holdReads = on;
    },
    release: () => {
      for (const answer of held.splice(0)) answer();
    },
  };
}

const get = (store: TableStore, name: string) =>
  new Promise<unknown>((resolve, reject) =>
    store.get(name, (error, value) => (error ? reject(error) : resolve(value))),
  );
const put = (store: TableStore, name: string, value: unknown) =>
  new Promise<void>((resolve) => store.put(name, value, () => resolve()));

describe('cacheTableReads', () => {
  it('reads a table once, and answers each read with a copy of its own', async () => {
    const fake = fakeStore();
    cacheTableReads(fake.store);
    await put(fake.store, 'usage', { TableStatus: 'ACTIVE', KeySchema: [{ AttributeName: 'pk' }] });

    const first = (await get(fake.store, 'usage')) as { TableStatus: string };
    first.TableStatus = 'CHANGED BY A CALLER';
    const second = await get(fake.store, 'usage');

    expect(second).toEqual({ TableStatus: 'ACTIVE', KeySchema: [{ AttributeName: 'pk' }] });
    expect(fake.reads()).toBe(1);
  });

  it('reads again after a put or a delete', async () => {
    const fake = fakeStore();
    cacheTableReads(fake.store);
    await put(fake.store, 'usage', { TableStatus: 'CREATING' });
    await get(fake.store, 'usage');
    await put(fake.store, 'usage', { TableStatus: 'ACTIVE' });

    expect(await get(fake.store, 'usage')).toEqual({ TableStatus: 'ACTIVE' });
    await new Promise<void>((resolve) => fake.store.del('usage', () => resolve()));
    expect(await get(fake.store, 'usage')).toBeUndefined();
    expect(fake.reads()).toBe(3);
  });

  it('does not keep a read that a write overtook', async () => {
    const fake = fakeStore();
    cacheTableReads(fake.store);
    await put(fake.store, 'usage', { TableStatus: 'CREATING' });
    fake.hold(true);
    const early = get(fake.store, 'usage');
    fake.hold(false);
    await put(fake.store, 'usage', { TableStatus: 'ACTIVE' });
    fake.release();
    await early;

    expect(await get(fake.store, 'usage')).toEqual({ TableStatus: 'ACTIVE' });
  });
});
