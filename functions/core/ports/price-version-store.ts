/** A refreshed version of the price data, as stored. */
export interface StoredPriceData {
  /** The data's own version, e.g. `genai-prices-data@2026-12-07T03:00:12Z`. */
  readonly dataVersion: string;
  /** When it was fetched (ISO instant). */
  readonly fetchedAt: string;
  /** Where it was fetched from. */
  readonly sourceUrl: string;
  /** The five providers' data in the genai-prices format (`priceDataJson`). */
  readonly json: string;
}

/** Versions of the price data the daily refresh stored, and which one prices requests now. */
export interface PriceVersionStore {
  /**
   * The data version prices come from now; undefined before the first refresh. One small read:
   * the proxy asks every few minutes.
   */
  currentVersion(): Promise<string | undefined>;
  /** A stored version's data; undefined when it is not stored. */
  load(dataVersion: string): Promise<StoredPriceData | undefined>;
  /**
   * Stores a version and makes it current: the data first, then the pointer, so a reader never
   * finds a current version whose data is missing. Versions already stored stay (records name
   * them).
   */
  publish(data: StoredPriceData): Promise<void>;
}
