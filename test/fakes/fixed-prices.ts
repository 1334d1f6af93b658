import { BUNDLED_PRICES } from '#core/pricing/bundled-prices.ts';
import type { PriceSource } from '#core/pricing/live-prices.ts';
import type { PriceCatalog } from '#core/pricing/price-catalog.ts';

/** A {@link PriceSource} that always answers one catalog (the bundled prices by default). */
export function fixedPrices(catalog: PriceCatalog = BUNDLED_PRICES): PriceSource {
  return { current: () => catalog, inUse: () => catalog, latest: async () => catalog };
}
