import type { PriceVersionStore, StoredPriceData } from '#core/ports/price-version-store.ts';

/** {@link PriceVersionStore} in memory; counts reads so tests can see what the proxy asks. */
export class InMemoryPriceVersionStore implements PriceVersionStore {
  readonly #versions = new Map<string, StoredPriceData>();
  #current: string | undefined;
  /** How many times `currentVersion` and `load` were called. */
  readonly reads = { currentVersion: 0, load: 0 };
  /** When set, every call rejects with it (an unreachable store). */
  failure: Error | undefined;

  async currentVersion(): Promise<string | undefined> {
    this.reads.currentVersion += 1;
    if (this.failure) throw this.failure;
    return this.#current;
  }

  async load(dataVersion: string): Promise<StoredPriceData | undefined> {
    this.reads.load += 1;
    if (this.failure) throw this.failure;
    return this.#versions.get(dataVersion);
  }

  async publish(data: StoredPriceData): Promise<void> {
    if (this.failure) throw this.failure;
    this.#versions.set(data.dataVersion, { ...data });
    this.#current = data.dataVersion;
  }
}
