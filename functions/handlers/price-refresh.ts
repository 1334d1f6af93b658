import {
  type PriceRefreshReport,
  type RefreshPricesDeps,
  refreshPrices,
} from '#core/pricing/refresh-prices.ts';
import { logRefreshFailure } from './refresh-failure.ts';

export type PriceRefreshHandlerDeps = RefreshPricesDeps;

/**
 * The daily price refresh (EventBridge schedule): fetch the maintained genai-prices data, check
 * it and store it as a new price version. Refused data is logged and the version in use stays
 * (the report says `kept`); a fetch that fails is logged (`logRefreshFailure`) and rethrown so the invocation counts
 * as failed (alarmable, retried by EventBridge).
 */
export function createPriceRefreshHandler(deps: PriceRefreshHandlerDeps) {
  return async (_event?: unknown): Promise<PriceRefreshReport> => {
    try {
      return await refreshPrices(deps);
    } catch (error) {
      logRefreshFailure(deps.logger, 'price refresh failed; the price version in use stays', error);
      throw error;
    }
  };
}
