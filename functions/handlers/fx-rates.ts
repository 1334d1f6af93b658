import type { FxQuote } from '#core/currency/fx.ts';
import { refreshFxRates } from '#core/currency/refresh-fx-rates.ts';
import { ServiceUnavailableError } from '#core/errors.ts';
import type { FxRateStore } from '#core/ports/fx-rate-store.ts';
import type { Logger } from '#core/ports/logger.ts';
import type { ReferenceRateSource } from '#core/ports/reference-rate-source.ts';
import { errorLogFields } from './error-log-fields.ts';

export interface FxRatesHandlerDeps {
  readonly source: ReferenceRateSource;
  readonly store: FxRateStore;
  readonly logger: Logger;
}

/**
 * The daily `fx-rates` job (EventBridge schedule): fetch the euro reference rates and store
 * them. A failure is logged (a source that cannot be reached as one warning without a stack)
 * and rethrown so the invocation counts as failed (alarmable); readers
 * keep using the last stored rates, or the shipped fallback.
 */
export function createFxRatesHandler(deps: FxRatesHandlerDeps) {
  return async (_event?: unknown): Promise<FxQuote> => {
    try {
      return await refreshFxRates(deps);
    } catch (error) {
      if (error instanceof ServiceUnavailableError) {
        // Expected (the source is down, or the machine offline): one line, no stack.
        deps.logger.warn(
          'fx rates refresh failed; costs keep using the last stored (or shipped) rates',
          { source: error.service, operation: error.operation, error: error.message },
        );
      } else {
        deps.logger.error('fx rates refresh failed', { error: errorLogFields(error) });
      }
      throw error;
    }
  };
}
