import { describe, expect, it } from 'vitest';
import { cacheTableReads, type TableStore } from '#local/dynalite-table-cache.ts';

/**
 * A table store in memory that counts its reads, can hold a read back, and can hold a put in
 * flight (LevelDB answers a read issued meanwhile with the value from before the put).
 */
function fakeStore() {
  const tables = new Map<string, unknown>();
  const held: (() => void)[] = [];
  const puts: (() => void)[] = [];
  let reads = 0;
  let holdReads = false;
  let holdPuts = false;
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
      const land = () => {
        tables.set(name, structuredClone(value));
        callback(null);
      };
      if (holdPuts) puts.push(land);
      else {
        tables.set(name, structuredClone(value));
        setImmediate(() => callback(null));
      }
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
    holdPuts: (on: boolean) => {
      holdPuts = on;
    },
    landPuts: () => {
      for (const land of puts.splice(0)) land();
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

  it('does not keep a read made while a write is in flight', async () => {
    // Arrange: dynalite's CreateTable puts CREATING, then ACTIVE; the second put is slow to land.
    const fake = fakeStore();
    cacheTableReads(fake.store);
    await put(fake.store, 'usage', { TableStatus: 'CREATING' });
    fake.holdPuts(true);
    const activating = put(fake.store, 'usage', { TableStatus: 'ACTIVE' });

    // Act: a describe during the write sees the old status; then the write lands.
    const during = await get(fake.store, 'usage');
    fake.landPuts();
    await activating;

    // Assert
    expect(during).toEqual({ TableStatus: 'CREATING' });
    expect(await get(fake.store, 'usage')).toEqual({ TableStatus: 'ACTIVE' });
  });
});
