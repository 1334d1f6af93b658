import type { ProviderId } from '../providers/provider-registry.ts';
import type { TokenUsage } from '../usage/usage-record.ts';
import { assertTokenCounts, type CostResult, costAt } from './cost.ts';
import { PRICE_OVERRIDES_VERSION } from './price-overrides.ts';
import { type PriceTable, periodAt, type TokenPrices } from './price-table.ts';
import { createModelIndex } from './resolve-model.ts';
import {
  SERVICE_TIER_PRICES,
  type ServiceTierPrices,
  STANDARD_SERVICE_TIERS,
} from './service-tier-prices.ts';

/** One version of the price data, with the overrides, ready to price requests. */
export interface PriceCatalog {
  /**
   * `<data version>+overrides@<n>`, e.g. `genai-prices@0.1.8+overrides@4`: stored with every
   * record it prices. Only `reprice` rewrites a record's version.
   */
  readonly version: string;
  /** The price data's model id a model id is priced as, or undefined (unpriced). */
  resolveModel(provider: ProviderId, modelId: string): string | undefined;
  /**
   * The model's context window (input and output tokens together) when the price data states
   * it: the most a request without an output cap can generate. Undefined when unknown.
   */
  contextWindow(provider: ProviderId, modelId: string): number | undefined;
  /**
   * The non-standard service tiers with prices of their own for the model (`flex`,
   * `priority`): what an answer may be billed at beyond the standard rate.
   */
  serviceTiers(provider: ProviderId, modelId: string): readonly string[];
  /**
   * Prices one request exactly (see `costAt`) with the prices in force on its UTC day (price
   * data can change a model's price from a date on). `serviceTier` is the tier the answer says
   * served it: a standard one, or none, prices from the price data; another from
   * `SERVICE_TIER_PRICES`, else at the standard rate with `tierUnpriced`. A model the catalog
   * cannot resolve, or one it knows but does not price per token, yields `costPicoUsd: null`
   * (unpriced), never 0.
   *
   * @param model The model id as returned by the provider, else as requested.
   * @param atMs When the request arrived (epoch ms).
   * @throws RangeError when a token count is negative, fractional or above 2^53 - 1 (a parser
   *   bug), or `atMs` is not a valid time.
   */
  computeCost(
    provider: ProviderId,
    model: string,
    usage: TokenUsage,
    atMs: number,
    serviceTier?: string,
  ): CostResult;
}

/** What a catalog is built from. */
export interface PriceCatalogData {
  /** The price data's own version, e.g. `genai-prices@0.1.8`. */
  readonly dataVersion: string;
  readonly table: PriceTable;
  /** @default SERVICE_TIER_PRICES */
  readonly tierPrices?: ServiceTierPrices;
}

/** The tier's own prices, undefined for the standard tier, or `unpriced` for an unknown one. */
function tierPricesOf(
  tierPrices: ServiceTierPrices,
  provider: ProviderId,
  pricedAs: string,
  serviceTier: string | undefined,
): TokenPrices | 'unpriced' | undefined {
  if (serviceTier === undefined || STANDARD_SERVICE_TIERS.includes(serviceTier)) return undefined;
  return tierPrices[provider]?.[serviceTier]?.[pricedAs]?.prices ?? 'unpriced';
}

/** Builds a catalog (the model index is built once, here). */
export function createPriceCatalog(data: PriceCatalogData): PriceCatalog {
  const version = `${data.dataVersion}+overrides@${PRICE_OVERRIDES_VERSION}`;
  const tierPrices: ServiceTierPrices = data.tierPrices ?? SERVICE_TIER_PRICES;
  const index = createModelIndex(data.table);
  return {
    version,
    resolveModel: (provider, modelId) => index.resolve(provider, modelId),
    contextWindow(provider, modelId) {
      const pricedAs = index.resolve(provider, modelId);
      return pricedAs === undefined ? undefined : index.entry(provider, pricedAs)?.contextWindow;
    },
    serviceTiers(provider, modelId) {
      const pricedAs = index.resolve(provider, modelId);
      if (pricedAs === undefined) return [];
      return Object.entries(tierPrices[provider] ?? {})
        .filter(([, models]) => models[pricedAs] !== undefined)
        .map(([tier]) => tier);
    },
    computeCost(provider, model, usage, atMs, serviceTier) {
      assertTokenCounts(usage);
      if (!Number.isFinite(atMs)) throw new RangeError(`atMs must be a time, got ${atMs}`);
      const pricedAs = index.resolve(provider, model);
      const entry = pricedAs === undefined ? undefined : index.entry(provider, pricedAs);
      const standard = entry === undefined ? undefined : periodAt(entry, atMs)?.prices;
      if (pricedAs === undefined || standard == null) {
        return { costPicoUsd: null, priceVersion: version };
      }
      const tier = tierPricesOf(tierPrices, provider, pricedAs, serviceTier);
      if (tier === 'unpriced') {
        return {
          costPicoUsd: costAt(standard, usage),
          pricedAs,
          priceVersion: version,
          tierUnpriced: true,
        };
      }
      return { costPicoUsd: costAt(tier ?? standard, usage), pricedAs, priceVersion: version };
    },
  };
}
