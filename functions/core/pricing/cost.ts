import type { ProviderId } from '../providers/provider-registry.ts';
import type { TokenUsage } from '../usage/usage-record.ts';
import { type ModelPrice, PRICE_TABLE_VERSION, PRICES } from './prices.ts';
import { resolveModel } from './resolve-model.ts';

/** The price of one request. */
export interface CostResult {
  /** Exact cost in pico-USD (10^-12 USD); `null` when the model has no price, never 0. */
  readonly costPicoUsd: bigint | null;
  /** The base model id in PRICES the cost was computed with; absent when unpriced. */
  readonly pricedAs?: string;
  /** {@link PRICE_TABLE_VERSION} at the time of pricing. */
  readonly priceVersion: string;
}

/** Total of many costs; unpriced ones are counted, not guessed. */
export interface CostSum {
  readonly pricedPicoUsd: bigint;
  readonly unpricedCount: number;
}

interface RatesPicoUsdPerToken {
  readonly input: bigint;
  readonly output: bigint;
  readonly cacheRead: bigint;
  readonly cacheWrite: bigint;
}

// Micro-USD per million tokens is numerically pico-USD per token (10^-6 / 10^6 = 10^-12).
function toRates(price: ModelPrice): RatesPicoUsdPerToken {
  const input = BigInt(price.inputMicrosPerMTok);
  return {
    input,
    output: BigInt(price.outputMicrosPerMTok),
    cacheRead: BigInt(price.cacheReadMicrosPerMTok ?? price.inputMicrosPerMTok),
    cacheWrite: BigInt(price.cacheWriteMicrosPerMTok ?? price.inputMicrosPerMTok),
  };
}

function buildRates(provider: ProviderId): ReadonlyMap<string, RatesPicoUsdPerToken> {
  const prices: Readonly<Record<string, ModelPrice>> = PRICES[provider];
  return new Map(Object.entries(prices).map(([base, price]) => [base, toRates(price)]));
}

/** Per provider: base id -> bigint rates (converted once, at load; computeCost is on the hot path). */
const RATES = {
  anthropic: buildRates('anthropic'),
  openai: buildRates('openai'),
  gemini: buildRates('gemini'),
  mistral: buildRates('mistral'),
  grok: buildRates('grok'),
} as const satisfies Record<ProviderId, ReadonlyMap<string, RatesPicoUsdPerToken>>;

function tokenCount(usage: TokenUsage, field: keyof TokenUsage): bigint {
  const value = usage[field];
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${field} must be a non-negative safe integer, got ${value}`);
  }
  return BigInt(value);
}

/**
 * Prices one request exactly: each of the four DISJOINT token counts times its own rate, in
 * bigint pico-USD. A cache read or write price the table does not list falls back to the input
 * price. A model `resolveModel` cannot price yields `costPicoUsd: null` (unpriced), never 0.
 *
 * @param model The model id as returned by the provider, else as requested.
 * @throws RangeError when a token count is negative, fractional or above 2^53 - 1 (a parser bug).
 */
export function computeCost(provider: ProviderId, model: string, usage: TokenUsage): CostResult {
  const input = tokenCount(usage, 'inputTokens');
  const output = tokenCount(usage, 'outputTokens');
  const cacheRead = tokenCount(usage, 'cacheReadTokens');
  const cacheWrite = tokenCount(usage, 'cacheWriteTokens');

  const pricedAs = resolveModel(provider, model);
  const rates = pricedAs === undefined ? undefined : RATES[provider].get(pricedAs);
  if (pricedAs === undefined || rates === undefined) {
    return { costPicoUsd: null, priceVersion: PRICE_TABLE_VERSION };
  }
  const costPicoUsd =
    input * rates.input +
    output * rates.output +
    cacheRead * rates.cacheRead +
    cacheWrite * rates.cacheWrite;
  return { costPicoUsd, pricedAs, priceVersion: PRICE_TABLE_VERSION };
}

/**
 * Sums costs exactly. Unpriced entries (`null`) add nothing to `pricedPicoUsd` and are counted in
 * `unpricedCount`, so a total can be shown as "at least" when some requests had no price.
 */
export function sumCosts(costs: Iterable<bigint | null>): CostSum {
  let pricedPicoUsd = 0n;
  let unpricedCount = 0;
  for (const cost of costs) {
    if (cost === null) unpricedCount += 1;
    else pricedPicoUsd += cost;
  }
  return { pricedPicoUsd, unpricedCount };
}
