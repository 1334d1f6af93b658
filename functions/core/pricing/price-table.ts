import type { ProviderId } from '../providers/provider-registry.ts';

/**
 * How a model id is recognised, as in `@pydantic/genai-prices` (`equals`, `starts_with`,
 * `ends_with`, `contains`, `regex`, `or`, `and`). Ids are compared lower-cased; a regex is
 * tested as written against the lower-cased id.
 */
export type MatchRule =
  | { readonly equals: string }
  | { readonly startsWith: string }
  | { readonly endsWith: string }
  | { readonly contains: string }
  | { readonly regex: string }
  | { readonly or: readonly MatchRule[] }
  | { readonly and: readonly MatchRule[] };

/**
 * A context-length tier: `price` replaces the base price for EVERY token of its kind when the
 * request's input tokens (uncached + cache read + cache write) exceed `above`.
 */
export interface RateTier {
  readonly above: number;
  readonly price: number;
}

/**
 * One price, an integer number of micro-USD per million tokens ($0.15 / MTok = 150_000), which is
 * numerically pico-USD per token: cost = tokens x rate, exactly, in bigint pico-USD.
 */
export type Rate = number | { readonly base: number; readonly tiers: readonly RateTier[] };

/**
 * Per-token prices of one model in one period. Absent cache prices bill at the input price;
 * `cacheWrite` is the price of a default (Anthropic: 5-minute) cache write, `cacheWrite1h` that
 * of a 1-hour write (Anthropic: 2x the input price where the data does not list it).
 */
export interface TokenPrices {
  readonly input: Rate;
  readonly output: Rate;
  readonly cacheRead?: Rate;
  readonly cacheWrite?: Rate;
  readonly cacheWrite1h?: Rate;
}

/**
 * Prices from a UTC day on. `prices: null`: the model is known but not priced per token (audio
 * hours, pages, free tiers): Metrion records it as unpriced, never as 0.
 */
export interface PricePeriod {
  /** First UTC day (`YYYY-MM-DD`) the prices apply; absent on the first period. */
  readonly from?: string;
  readonly prices: TokenPrices | null;
}

/** One model: its id in the price data, how ids are matched to it, and its price periods. */
export interface ModelEntry {
  readonly id: string;
  readonly match: MatchRule;
  /** In order; the last period whose `from` is not after the request's day applies. */
  readonly periods: readonly PricePeriod[];
  /**
   * Tokens of input and output together the model accepts, when the price data states it: the
   * most a request without an output cap can generate (budgets reserve for it).
   */
  readonly contextWindow?: number;
}

/** Per Metrion provider, the models in match order (the first matching entry wins). */
export type PriceTable = { readonly [P in ProviderId]: readonly ModelEntry[] };

/** Which compiled regex belongs to which rule text (compiled once per process). */
const REGEX_CACHE = new Map<string, RegExp>();

function compiled(source: string): RegExp {
  let regex = REGEX_CACHE.get(source);
  if (regex === undefined) {
    regex = new RegExp(source);
    REGEX_CACHE.set(source, regex);
  }
  return regex;
}

/** Whether a lower-cased, trimmed model id matches a rule (the package's semantics). */
export function matchesRule(rule: MatchRule, id: string): boolean {
  if ('or' in rule) return rule.or.some((inner) => matchesRule(inner, id));
  if ('and' in rule) return rule.and.every((inner) => matchesRule(inner, id));
  if ('equals' in rule) return id === rule.equals.toLowerCase();
  if ('startsWith' in rule) return id.startsWith(rule.startsWith.toLowerCase());
  if ('endsWith' in rule) return id.endsWith(rule.endsWith.toLowerCase());
  if ('contains' in rule) return id.includes(rule.contains.toLowerCase());
  return compiled(rule.regex).test(id);
}

/** The prices of `entry` for a request arriving at `atMs` (UTC day comparison, as the package). */
export function periodAt(entry: ModelEntry, atMs: number): PricePeriod | undefined {
  const day = new Date(atMs).toISOString().slice(0, 10);
  let chosen: PricePeriod | undefined;
  for (const period of entry.periods) {
    if (period.from === undefined || period.from <= day) chosen = period;
  }
  return chosen ?? entry.periods[0];
}
