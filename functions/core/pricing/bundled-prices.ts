import type { ProviderId } from '../providers/provider-registry.ts';
import type { TokenUsage } from '../usage/usage-record.ts';
import type { CostResult } from './cost.ts';
import { GENAI_PRICES_VERSION, GENERATED_PRICES } from './generated-prices.ts';
import { createPriceCatalog, type PriceCatalog } from './price-catalog.ts';

/**
 * The prices shipped with the code (`generated-prices.ts` and the overrides): what prices
 * requests until a refreshed version is stored, and whenever the stored one cannot be read.
 */
export const BUNDLED_PRICES: PriceCatalog = createPriceCatalog({
  dataVersion: `genai-prices@${GENAI_PRICES_VERSION}`,
  table: GENERATED_PRICES,
});

/** `BUNDLED_PRICES.version`, e.g. `genai-prices@0.1.8+overrides@4`. */
export const BUNDLED_PRICE_VERSION = BUNDLED_PRICES.version;

/** {@link PriceCatalog.computeCost} with the bundled prices. */
export function computeCost(
  provider: ProviderId,
  model: string,
  usage: TokenUsage,
  atMs: number,
  serviceTier?: string,
): CostResult {
  return BUNDLED_PRICES.computeCost(provider, model, usage, atMs, serviceTier);
}

/** {@link PriceCatalog.resolveModel} with the bundled prices. */
export function resolveModel(provider: ProviderId, modelId: string): string | undefined {
  return BUNDLED_PRICES.resolveModel(provider, modelId);
}
