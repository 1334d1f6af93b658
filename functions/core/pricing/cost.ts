import type { TokenUsage } from '../usage/usage-record.ts';
import type { Rate, TokenPrices } from './price-table.ts';

/** The price of one request. */
export interface CostResult {
  /** Exact cost in pico-USD (10^-12 USD); `null` when the model has no price, never 0. */
  readonly costPicoUsd: bigint | null;
  /** The model id in the price data the cost was computed with; absent when unpriced. */
  readonly pricedAs?: string;
  /** The version of the price data that priced it (stored with the record). */
  readonly priceVersion: string;
  /**
   * The answer was served in a service tier the price data has no prices for (for this model):
   * it was priced at the standard rate, which may be wrong. Absent otherwise.
   */
  readonly tierUnpriced?: true;
}

/** Total of many costs; unpriced ones are counted, not guessed. */
export interface CostSum {
  readonly pricedPicoUsd: bigint;
  readonly unpricedCount: number;
}

/** A rate in pico-USD per token, with its context-length tiers (ascending `above`). */
interface BigRate {
  readonly base: bigint;
  readonly tiers: readonly { readonly above: number; readonly price: bigint }[];
}

interface BigRates {
  readonly input: BigRate;
  readonly output: BigRate;
  readonly cacheRead: BigRate;
  readonly cacheWrite: BigRate;
  readonly cacheWrite1h: BigRate;
}

// Micro-USD per million tokens is numerically pico-USD per token (10^-6 / 10^6 = 10^-12).
function toBigRate(rate: Rate): BigRate {
  if (typeof rate === 'number') return { base: BigInt(rate), tiers: [] };
  return {
    base: BigInt(rate.base),
    tiers: [...rate.tiers]
      .sort((a, b) => a.above - b.above)
      .map((tier) => ({ above: tier.above, price: BigInt(tier.price) })),
  };
}

const doubled = (rate: BigRate): BigRate => ({
  base: rate.base * 2n,
  tiers: rate.tiers.map((tier) => ({ above: tier.above, price: tier.price * 2n })),
});

/**
 * A cache read or write price the data does not list is billed at the input price; a 1-hour
 * write price it does not list at twice the input price (Anthropic's rule; only Anthropic
 * reports 1-hour writes).
 */
function toBigRates(prices: TokenPrices): BigRates {
  const input = toBigRate(prices.input);
  return {
    input,
    output: toBigRate(prices.output),
    cacheRead: prices.cacheRead === undefined ? input : toBigRate(prices.cacheRead),
    cacheWrite: prices.cacheWrite === undefined ? input : toBigRate(prices.cacheWrite),
    cacheWrite1h:
      prices.cacheWrite1h === undefined ? doubled(input) : toBigRate(prices.cacheWrite1h),
  };
}

/** Converted rates per price object, built on first use (pricing is on the hot path). */
const RATES = new WeakMap<TokenPrices, BigRates>();

function ratesOf(prices: TokenPrices): BigRates {
  let rates = RATES.get(prices);
  if (rates === undefined) {
    rates = toBigRates(prices);
    RATES.set(prices, rates);
  }
  return rates;
}

/** The highest tier whose threshold the request's input exceeds, else the base price. */
function rateAt(rate: BigRate, contextTokens: number): bigint {
  let price = rate.base;
  for (const tier of rate.tiers) if (contextTokens > tier.above) price = tier.price;
  return price;
}

/**
 * @throws RangeError when a token count is negative, fractional or above 2^53 - 1 (a parser bug)
 */
export function assertTokenCounts(usage: TokenUsage): void {
  for (const field of TOKEN_FIELDS) tokenCount(usage, field);
}

const TOKEN_FIELDS = [
  'inputTokens',
  'outputTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'cacheWrite5mTokens',
  'cacheWrite1hTokens',
] as const satisfies readonly (keyof TokenUsage)[];

function tokenCount(usage: TokenUsage, field: keyof TokenUsage): bigint {
  const value = usage[field] ?? 0;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${field} must be a non-negative safe integer, got ${value}`);
  }
  return BigInt(value);
}

/**
 * The exact cost of `usage` at `prices`: each of the four DISJOINT token counts times its own
 * rate, in bigint pico-USD. Cache writes bill per lifetime: the 1-hour part
 * (`cacheWrite1hTokens`) at the 1-hour price, the rest at the cache-write price. The rates are
 * those of the context-length tier the input reaches: when uncached + cache-read + cache-write
 * input tokens exceed a tier's threshold (Claude and Gemini Pro above 200k, GPT-5.4+ above 272k,
 * ...), every token of that kind costs the tier's price.
 *
 * @throws RangeError when a token count is negative, fractional or above 2^53 - 1 (a parser bug)
 */
export function costAt(prices: TokenPrices, usage: TokenUsage): bigint {
  const input = tokenCount(usage, 'inputTokens');
  const output = tokenCount(usage, 'outputTokens');
  const cacheRead = tokenCount(usage, 'cacheReadTokens');
  const cacheWrite = tokenCount(usage, 'cacheWriteTokens');
  const cacheWrite1h = BigInt(
    Math.min(Number(tokenCount(usage, 'cacheWrite1hTokens')), usage.cacheWriteTokens),
  );
  const rates = ratesOf(prices);
  const context = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
  return (
    input * rateAt(rates.input, context) +
    output * rateAt(rates.output, context) +
    cacheRead * rateAt(rates.cacheRead, context) +
    (cacheWrite - cacheWrite1h) * rateAt(rates.cacheWrite, context) +
    cacheWrite1h * rateAt(rates.cacheWrite1h, context)
  );
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
