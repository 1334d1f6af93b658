import { computeCost } from '../pricing/cost.ts';
import { modelEntry, resolveModel } from '../pricing/resolve-model.ts';
import type { MaxCostPricing } from './max-cost.ts';

/** {@link MaxCostPricing} from the price data every record is priced with. */
export const PRICE_DATA_PRICING: MaxCostPricing = {
  cost: (provider, model, usage, atMs) => computeCost(provider, model, usage, atMs).costPicoUsd,
  contextWindow(provider, model) {
    const pricedAs = resolveModel(provider, model);
    return pricedAs === undefined ? undefined : modelEntry(provider, pricedAs)?.contextWindow;
  },
};
