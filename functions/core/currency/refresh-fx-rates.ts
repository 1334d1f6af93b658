import type { FxRateStore } from '../ports/fx-rate-store.ts';
import type { Logger } from '../ports/logger.ts';
import type { ReferenceRateSource } from '../ports/reference-rate-source.ts';
import type { FxQuote } from './fx.ts';
import { FALLBACK_FX } from './fx.ts';

/** Fetches the day's euro reference rates and stores them (the daily `fx-rates` job). */
export async function refreshFxRates(deps: {
  readonly source: ReferenceRateSource;
  readonly store: FxRateStore;
  readonly logger: Logger;
}): Promise<FxQuote> {
  const quote = await deps.source.fetchDaily();
  await deps.store.put(quote);
  deps.logger.info('fx rates stored', {
    date: quote.date,
    usdPerEur: quote.usdPerEur,
    chfPerEur: quote.chfPerEur,
  });
  return quote;
}

/** The quote conversions use: the latest stored one, else the shipped fallback. */
export async function currentFxQuote(store: FxRateStore): Promise<FxQuote> {
  return (await store.latest()) ?? FALLBACK_FX;
}
