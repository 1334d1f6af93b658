// A cache of dynalite's table descriptions. dynalite reads the table's description from LevelDB
// on every item call (key schema, indexes, status): a LevelDB read and a JSON parse that made
// about a quarter of the dynalite thread's busy time under the proxy's load. The descriptions
// change only through the table store's own writes (create, update, delete, status changes),
// which clear the cache. Runs on the dynalite thread (dynalite-worker.ts): node builtins only.

type Callback = (error: Error | null, value?: unknown) => void;

/** dynalite's table store (`store.tableDb`): a LevelDB wrapper with callbacks. */
export interface TableStore {
  get(name: string, callback: Callback): void;
  put(name: string, value: unknown, callback: Callback): void;
  del(name: string, callback: Callback): void;
  batch(operations: readonly unknown[], callback: Callback): void;
}

/** dynalite's `db/index.js` module: `create(options)` builds the store the server uses. */
export interface DynaliteDbModule {
  create(options: unknown): { tableDb: TableStore };
}

/**
 * Serves `tableDb.get` from memory after the first read (in place: dynalite's own functions hold
 * the object). Each answer is a fresh copy, as a read from LevelDB would be, since dynalite's
 * actions may change the object they get. A write clears the cache when it starts and when it
 * lands; only a read that began and ended with no write in flight may fill it, because LevelDB
 * can answer a read issued during a write with the value from before it.
 */
export function cacheTableReads(tableDb: TableStore): void {
  const cached = new Map<string, unknown>();
  let writesStarted = 0;
  let writesInFlight = 0;
  const read = tableDb.get.bind(tableDb);
  const landing = (callback: Callback): Callback => {
    writesStarted += 1;
    writesInFlight += 1;
    cached.clear();
    return (error, value) => {
      writesInFlight -= 1;
      cached.clear();
      callback(error, value);
    };
  };
  const put = tableDb.put.bind(tableDb);
  const del = tableDb.del.bind(tableDb);
  const batch = tableDb.batch.bind(tableDb);
  tableDb.put = (name, value, callback) => put(name, value, landing(callback));
  tableDb.del = (name, callback) => del(name, landing(callback));
  tableDb.batch = (operations, callback) => batch(operations, landing(callback));
  tableDb.get = (name, callback) => {
    if (cached.has(name)) {
      const copy = structuredClone(cached.get(name));
      process.nextTick(() => callback(null, copy));
      return;
    }
    const quietBefore = writesInFlight === 0;
    const writesBefore = writesStarted;
    read(name, (error, value) => {
      const quiet = quietBefore && writesInFlight === 0 && writesStarted === writesBefore;
      if (error === null && value !== undefined && quiet) {
        cached.set(name, structuredClone(value));
      }
      callback(error, value);
    });
  };
}

/** Makes every store dynalite creates from `db` (at start and on `recreate`) cache its tables. */
export function cacheTableDescriptions(db: DynaliteDbModule): void {
  const create = db.create.bind(db);
  db.create = (options) => {
    const store = create(options);
    cacheTableReads(store.tableDb);
    return store;
  };
}
