import type { ProviderId } from '../providers/provider-registry.ts';
import {
  type DataConditionalPrices,
  type DataMatchLogic,
  type DataModel,
  type DataModelPrices,
  type DataPrice,
  InvalidPriceDataError,
  type PriceData,
} from './price-data.ts';
import { NON_TEXT_MODEL_WORDS } from './price-overrides.ts';
import type {
  MatchRule,
  ModelEntry,
  PricePeriod,
  PriceTable,
  Rate,
  TokenPrices,
} from './price-table.ts';

const MICROS_DIGITS = 6;

/**
 * Converts a decimal $/MTok price to integer micro-USD per MTok without float arithmetic: the
 * number's shortest round-trip text (`0.01875`) is the decimal the data states, and its digits
 * are shifted as text. Throws on more precision than 1 micro-USD/MTok, on negative, non-finite
 * or exponent-notation values, and above 2^53 - 1.
 */
export function toMicrosPerMTok(value: number, where: string): number {
  const text = String(value);
  const parts = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (parts === null)
    throw new InvalidPriceDataError(`${where}: price ${text} is not a plain decimal`);
  const [, whole = '0', fraction = ''] = parts;
  if (fraction.length > MICROS_DIGITS) {
    throw new InvalidPriceDataError(`${where}: price ${text} is finer than 1 micro-USD per MTok`);
  }
  const micros = BigInt(whole) * 10n ** BigInt(MICROS_DIGITS) + BigInt(fraction.padEnd(6, '0'));
  if (micros > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new InvalidPriceDataError(`${where}: price ${text} too large`);
  }
  return Number(micros);
}

function toRate(value: DataPrice | undefined, where: string): Rate | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return toMicrosPerMTok(value, where);
  const tiers = [...value.tiers]
    .sort((a, b) => a.start - b.start)
    .map((tier) => ({ above: tier.start, price: toMicrosPerMTok(tier.price, `${where} tier`) }));
  return { base: toMicrosPerMTok(value.base, where), tiers };
}

/** The per-token prices Metrion bills; null unless both input and output are priced. */
function toTokenPrices(prices: DataModelPrices, where: string): TokenPrices | null {
  const input = toRate(prices.input_mtok, `${where} input_mtok`);
  const output = toRate(prices.output_mtok, `${where} output_mtok`);
  if (input === undefined || output === undefined) return null;
  const optional = {
    cacheRead: toRate(prices.cache_read_mtok, `${where} cache_read_mtok`),
    cacheWrite: toRate(prices.cache_write_mtok, `${where} cache_write_mtok`),
    cacheWrite1h: toRate(prices.cache_write_1h_mtok, `${where} cache_write_1h_mtok`),
  };
  return {
    input,
    output,
    ...Object.fromEntries(Object.entries(optional).filter(([, rate]) => rate !== undefined)),
  };
}

function toPeriod(conditional: DataConditionalPrices, where: string): PricePeriod {
  const prices = toTokenPrices(conditional.prices, where);
  const from = conditional.constraint?.start_date;
  return from === undefined ? { prices } : { from, prices };
}

export function toMatchRule(logic: DataMatchLogic): MatchRule {
  if ('or' in logic) return { or: logic.or.map(toMatchRule) };
  if ('and' in logic) return { and: logic.and.map(toMatchRule) };
  if ('equals' in logic) return { equals: logic.equals };
  if ('starts_with' in logic) return { startsWith: logic.starts_with };
  if ('ends_with' in logic) return { endsWith: logic.ends_with };
  if ('contains' in logic) return { contains: logic.contains };
  return { regex: logic.regex };
}

/** A model's prices as dated periods (one undated period when its prices are flat). */
function conditionalsOf(model: Pick<DataModel, 'prices'>): readonly DataConditionalPrices[] {
  const { prices } = model;
  return isConditionalList(prices) ? prices : [{ prices }];
}

function isConditionalList(
  prices: DataModel['prices'],
): prices is readonly DataConditionalPrices[] {
  return Array.isArray(prices);
}

/**
 * Whether Metrion leaves a model unpriced because its usage mixes in tokens it does not record
 * (see {@link NON_TEXT_MODEL_WORDS}): a word of its id names audio, image, realtime or speech,
 * or its data prices audio, image or video output (`output_audio_mtok` …).
 */
export function isNonTextModel(model: Pick<DataModel, 'id' | 'prices'>): boolean {
  const words = new Set(model.id.toLowerCase().split('-'));
  if (NON_TEXT_MODEL_WORDS.some((word) => words.has(word))) return true;
  return conditionalsOf(model).some(({ prices }) =>
    Object.keys(prices).some((key) => key.startsWith('output_') && key !== 'output_mtok'),
  );
}

function toEntry(model: DataModel, where: string): ModelEntry {
  const match = toMatchRule(model.match);
  // Kept with its match rule, so its ids resolve to it (unpriced), not to a text model.
  if (isNonTextModel(model)) return { id: model.id, match, periods: [{ prices: null }] };
  const periods = conditionalsOf(model).map((c) => toPeriod(c, where));
  return model.contextWindow === undefined
    ? { id: model.id, match, periods }
    : { id: model.id, match, periods, contextWindow: model.contextWindow };
}

/**
 * The five providers' models in the data's match order, prices converted exactly to integer
 * micro-USD per MTok.
 * @throws InvalidPriceDataError on a price finer than 1 micro-USD per MTok
 */
export function priceTableOf(data: PriceData): PriceTable {
  const table = {} as Record<ProviderId, readonly ModelEntry[]>;
  for (const [provider, models] of Object.entries(data) as [ProviderId, readonly DataModel[]][]) {
    table[provider] = models.map((model) => toEntry(model, `${provider}/${model.id}`));
  }
  return table;
}
