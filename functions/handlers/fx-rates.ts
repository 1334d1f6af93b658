import type { FxQuote } from '#core/currency/fx.ts';
import { refreshFxRates } from '#core/currency/refresh-fx-rates.ts';
import type { FxRateStore } from '#core/ports/fx-rate-store.ts';
import type { Logger } from '#core/ports/logger.ts';
import type { ReferenceRateSource } from '#core/ports/reference-rate-source.ts';
import { logRefreshFailure } from './refresh-failure.ts';

export interface FxRatesHandlerDeps {
  readonly source: ReferenceRateSource;
  readonly store: FxRateStore;
  readonly logger: Logger;
}

/**
 * The daily `fx-rates` job (EventBridge schedule): fetch the euro reference rates and store
 * them. A failure is logged (`logRefreshFailure`) and rethrown so the invocation counts as failed
 * (alarmable); readers keep using the last stored rates, or the shipped fallback.
 */
export function createFxRatesHandler(deps: FxRatesHandlerDeps) {
  return async (_event?: unknown): Promise<FxQuote> => {
    try {
      return await refreshFxRates(deps);
    } catch (error) {
      logRefreshFailure(
        deps.logger,
        'fx rates refresh failed; costs keep using the last stored (or shipped) rates',
        error,
      );
      throw error;
    }
  };
}
