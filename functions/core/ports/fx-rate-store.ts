import type { FxQuote } from '../currency/fx.ts';

/** Stored daily euro reference rates. */
export interface FxRateStore {
  /** Stores the quote of its date (overwrites the same date). */
  put(quote: FxQuote): Promise<void>;
  /** The quote with the latest date, or undefined when none is stored. */
  latest(): Promise<FxQuote | undefined>;
}
