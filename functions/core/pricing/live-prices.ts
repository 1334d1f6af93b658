import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { PriceVersionStore, StoredPriceData } from '../ports/price-version-store.ts';
import { createPriceCatalog, type PriceCatalog } from './price-catalog.ts';
import { readPriceData } from './price-data.ts';
import { priceTableOf } from './price-table-from-data.ts';

/** Where the catalog that prices requests comes from. */
export interface PriceSource {
  /**
   * The catalog to price with now; never waits. When the last check of the store is older than
   * the check interval, it starts one in the background (at most one at a time), so a new
   * version is used within minutes and the hot path never waits on the store.
   */
  current(): PriceCatalog;
  /**
   * The catalog in use, without looking for a new version: for work done before the provider
   * answered, which must not add a store call there (the request's trace).
   */
  inUse(): PriceCatalog;
  /** Checks the store now and answers the catalog to price with (jobs, before they run). */
  latest(): Promise<PriceCatalog>;
}

/** How often the proxy looks for a new price version: one small read per instance. */
export const PRICE_CHECK_INTERVAL_MS = 5 * 60_000;

export interface LivePricesDeps {
  readonly store: PriceVersionStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** What prices until a stored version is read, and when none can be (the bundled table). */
  readonly fallback: PriceCatalog;
  /** @default PRICE_CHECK_INTERVAL_MS */
  readonly checkIntervalMs?: number | undefined;
}

/**
 * A stored version as a catalog, checked with the same schema as the build.
 * @throws InvalidPriceDataError (or a SyntaxError) when the stored data does not fit
 */
export function catalogOfStored(data: StoredPriceData): PriceCatalog {
  return createPriceCatalog({
    dataVersion: data.dataVersion,
    table: priceTableOf(readPriceData(JSON.parse(data.json))),
  });
}

/**
 * The current stored price version, re-read at most every `checkIntervalMs`: a pointer read,
 * and the version's data only when the pointer moved. A store that fails, or data that does not
 * fit the schema, keeps the catalog in use (logged); before any version is stored, the
 * fallback prices.
 */
export function createLivePrices(deps: LivePricesDeps): PriceSource {
  const intervalMs = deps.checkIntervalMs ?? PRICE_CHECK_INTERVAL_MS;
  let catalog = deps.fallback;
  let dataVersion: string | undefined;
  let checkedAtMs = Number.NEGATIVE_INFINITY;
  let running: Promise<void> | undefined;

  const check = async (): Promise<void> => {
    const version = await deps.store.currentVersion();
    if (version === undefined || version === dataVersion) return;
    const stored = await deps.store.load(version);
    if (stored === undefined) throw new Error(`price version ${version} is not stored`);
    catalog = catalogOfStored(stored);
    dataVersion = version;
    deps.logger.info('price version loaded', { priceVersion: catalog.version });
  };

  const start = (): Promise<void> => {
    checkedAtMs = deps.clock.nowMs();
    running ??= check()
      .catch((error: unknown) => {
        deps.logger.warn('price version check failed; pricing with the version in use', {
          priceVersion: catalog.version,
          error: error instanceof Error ? `${error.name}: ${error.message}` : 'unknown',
        });
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  return {
    current() {
      if (deps.clock.nowMs() - checkedAtMs >= intervalMs) void start();
      return catalog;
    },
    inUse() {
      return catalog;
    },
    async latest() {
      await start();
      return catalog;
    },
  };
}
