import type { FxQuote } from '../currency/fx.ts';

/** Where daily euro reference rates come from (the ECB; a fake server in tests). */
export interface ReferenceRateSource {
  /** Fetches today's published quote. @throws when the source is unreachable or malformed */
  fetchDaily(): Promise<FxQuote>;
}
