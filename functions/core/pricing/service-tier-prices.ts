import type { ProviderId } from '../providers/provider-registry.ts';
import type { TokenPrices } from './price-table.ts';

/**
 * What a provider calls its standard tier in an answer's `service_tier`: OpenAI `default`,
 * Anthropic `standard`. These are priced from the price data as usual.
 */
export const STANDARD_SERVICE_TIERS: readonly string[] = ['default', 'standard'];

/** One model's prices in one service tier, with where they were read. */
export interface ServiceTierPrice {
  readonly prices: TokenPrices;
  readonly source: string;
}

/** Per provider, per tier the answer names, per model id of the price data. */
export type ServiceTierPrices = {
  readonly [P in ProviderId]?: Readonly<Record<string, Readonly<Record<string, ServiceTierPrice>>>>;
};

const FLEX = 'https://platform.openai.com/docs/pricing (Flex: the Batch rates)';
const PRIORITY = 'https://openai.com/api-priority-processing/ (excludes long context)';

/** Flat per-token prices in micro-USD per MTok, as the pages list them. */
const flat = (input: number, cacheRead: number | undefined, output: number): TokenPrices =>
  cacheRead === undefined ? { input, output } : { input, output, cacheRead };

/**
 * Prices of the non-standard service tiers, which `@pydantic/genai-prices` does not have yet
 * (see docs/decisions/prices.md). An answer served in a tier (`service_tier` in the answer; the request's value is
 * only a wish) is priced here; a tier or model missing here is priced at the standard rate and
 * flagged `tierUnpriced`. Part of the price overrides: bump `PRICE_OVERRIDES_VERSION` on every
 * change. Remove entries once the package covers them.
 */
export const SERVICE_TIER_PRICES = {
  openai: {
    // Flex processing bills the Batch API rates, half the standard ones.
    flex: {
      'gpt-5.2': { prices: flat(875_000, 87_500, 7_000_000), source: FLEX },
      'gpt-5.1': { prices: flat(625_000, 62_500, 5_000_000), source: FLEX },
      'gpt-5': { prices: flat(625_000, 62_500, 5_000_000), source: FLEX },
      'gpt-5-mini': { prices: flat(125_000, 12_500, 1_000_000), source: FLEX },
      'gpt-5-nano': { prices: flat(25_000, 2_500, 200_000), source: FLEX },
      o3: { prices: flat(1_000_000, 250_000, 4_000_000), source: FLEX },
      'o4-mini': { prices: flat(550_000, 137_500, 2_200_000), source: FLEX },
    },
    priority: {
      'gpt-5.4': { prices: flat(5_000_000, 500_000, 30_000_000), source: PRIORITY },
      'gpt-5.4-mini': { prices: flat(1_500_000, 150_000, 9_000_000), source: PRIORITY },
      'gpt-5.2': { prices: flat(3_500_000, 350_000, 28_000_000), source: PRIORITY },
      'gpt-5.1': { prices: flat(2_500_000, 250_000, 20_000_000), source: PRIORITY },
      'gpt-5': { prices: flat(2_500_000, 250_000, 20_000_000), source: PRIORITY },
      'gpt-5-mini': { prices: flat(450_000, 45_000, 3_600_000), source: PRIORITY },
      'gpt-4.1': { prices: flat(3_500_000, 875_000, 14_000_000), source: PRIORITY },
      'gpt-4.1-mini': { prices: flat(700_000, 175_000, 2_800_000), source: PRIORITY },
      'gpt-4.1-nano': { prices: flat(200_000, 50_000, 800_000), source: PRIORITY },
      'gpt-4o': { prices: flat(4_250_000, 2_125_000, 17_000_000), source: PRIORITY },
      'gpt-4o-2024-05-13': { prices: flat(8_750_000, undefined, 26_250_000), source: PRIORITY },
      'gpt-4o-mini': { prices: flat(250_000, 125_000, 1_000_000), source: PRIORITY },
      o3: { prices: flat(3_500_000, 875_000, 14_000_000), source: PRIORITY },
      'o4-mini': { prices: flat(2_000_000, 500_000, 8_000_000), source: PRIORITY },
    },
  },
} as const satisfies ServiceTierPrices;
