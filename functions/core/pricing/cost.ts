import type { ProviderId } from '../providers/provider-registry.ts';
import type { TokenUsage } from '../usage/usage-record.ts';
import { type ModelEntry, periodAt, type Rate, type TokenPrices } from './price-table.ts';
import { PRICE_VERSION } from './price-version.ts';
import { modelEntry, resolveModel } from './resolve-model.ts';

/** The price of one request. */
export interface CostResult {
  /** Exact cost in pico-USD (10^-12 USD); `null` when the model has no price, never 0. */
  readonly costPicoUsd: bigint | null;
  /** The model id in the price data the cost was computed with; absent when unpriced. */
  readonly pricedAs?: string;
  /** {@link PRICE_VERSION} at the time of pricing. */
  readonly priceVersion: string;
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

/** A cache read or write price the data does not list is billed at the input price. */
function toBigRates(prices: TokenPrices): BigRates {
  const input = toBigRate(prices.input);
  return {
    input,
    output: toBigRate(prices.output),
    cacheRead: prices.cacheRead === undefined ? input : toBigRate(prices.cacheRead),
    cacheWrite: prices.cacheWrite === undefined ? input : toBigRate(prices.cacheWrite),
  };
}

/** Converted rates per price period, built on first use of a model (computeCost is hot). */
const RATES = new WeakMap<object, BigRates | null>();

function ratesFor(entry: ModelEntry, atMs: number): BigRates | null {
  const period = periodAt(entry, atMs);
  if (period === undefined || period.prices === null) return null;
  let rates = RATES.get(period);
  if (rates === undefined) {
    rates = toBigRates(period.prices);
    RATES.set(period, rates);
  }
  return rates;
}

/** The highest tier whose threshold the request's input exceeds, else the base price. */
function rateAt(rate: BigRate, contextTokens: number): bigint {
  let price = rate.base;
  for (const tier of rate.tiers) if (contextTokens > tier.above) price = tier.price;
  return price;
}

function tokenCount(usage: TokenUsage, field: keyof TokenUsage): bigint {
  const value = usage[field];
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${field} must be a non-negative safe integer, got ${value}`);
  }
  return BigInt(value);
}

/**
 * Prices one request exactly: each of the four DISJOINT token counts times its own rate, in
 * bigint pico-USD. The rates are those in force on the request's UTC day (price data can change
 * a model's price from a date on) and of the context-length tier its input reaches: when
 * uncached + cache-read + cache-write input tokens exceed a tier's threshold (Claude and Gemini
 * Pro above 200k, GPT-5.4+ above 272k, ...), every token of that kind costs the tier's price. A
 * cache read or write price the data does not list falls back to the input price. A model
 * `resolveModel` cannot price, or one the data knows but does not price per token, yields
 * `costPicoUsd: null` (unpriced), never 0.
 *
 * @param model The model id as returned by the provider, else as requested.
 * @param atMs When the request arrived (epoch ms): selects dated price periods.
 * @throws RangeError when a token count is negative, fractional or above 2^53 - 1 (a parser bug),
 *   or `atMs` is not a valid time.
 */
export function computeCost(
  provider: ProviderId,
  model: string,
  usage: TokenUsage,
  atMs: number,
): CostResult {
  const input = tokenCount(usage, 'inputTokens');
  const output = tokenCount(usage, 'outputTokens');
  const cacheRead = tokenCount(usage, 'cacheReadTokens');
  const cacheWrite = tokenCount(usage, 'cacheWriteTokens');
  if (!Number.isFinite(atMs)) throw new RangeError(`atMs must be a time, got ${atMs}`);

  const pricedAs = resolveModel(provider, model);
  const entry = pricedAs === undefined ? undefined : modelEntry(provider, pricedAs);
  const rates = entry === undefined ? null : ratesFor(entry, atMs);
  if (pricedAs === undefined || rates === null) {
    return { costPicoUsd: null, priceVersion: PRICE_VERSION };
  }
  const context = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
  const costPicoUsd =
    input * rateAt(rates.input, context) +
    output * rateAt(rates.output, context) +
    cacheRead * rateAt(rates.cacheRead, context) +
    cacheWrite * rateAt(rates.cacheWrite, context);
  return { costPicoUsd, pricedAs, priceVersion: PRICE_VERSION };
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
