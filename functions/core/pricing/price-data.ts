import type { ProviderId } from '../providers/provider-registry.ts';

/**
 * The `@pydantic/genai-prices` data format, as far as Metrion reads it: the package's bundled
 * providers and its maintained v2 `data.json` (a JSON array of providers) share it. One schema
 * checks both: `npm run prices:generate` feeds it the package's data, the daily price refresh the
 * fetched file, and the proxy what the refresh stored.
 */

/** Metrion provider id -> the package's provider id. */
export const GENAI_PROVIDER_IDS = {
  anthropic: 'anthropic',
  openai: 'openai',
  gemini: 'google',
  mistral: 'mistral',
  grok: 'x-ai',
} as const satisfies Record<ProviderId, string>;

/** How the data matches model ids (`starts_with`, `or`, ...), checked but kept as written. */
export type DataMatchLogic =
  | { readonly equals: string }
  | { readonly starts_with: string }
  | { readonly ends_with: string }
  | { readonly contains: string }
  | { readonly regex: string }
  | { readonly or: readonly DataMatchLogic[] }
  | { readonly and: readonly DataMatchLogic[] };

/** A price per unit in dollars, flat or by context-length tier. */
export type DataPrice =
  | number
  | { readonly base: number; readonly tiers: readonly { start: number; price: number }[] };

/** `input_mtok`, `output_mtok`, `cache_read_mtok`, … (keys Metrion does not bill are kept too). */
export type DataModelPrices = Readonly<Record<string, DataPrice>>;

/** Prices from a UTC day on; read with or without `type: 'start_date'` (the v2 file omits it). */
export interface DataConditionalPrices {
  readonly constraint?: { readonly start_date: string };
  readonly prices: DataModelPrices;
}

export interface DataModel {
  readonly id: string;
  readonly match: DataMatchLogic;
  readonly prices: DataModelPrices | readonly DataConditionalPrices[];
  /** Input and output tokens together the model accepts (`context_window`), when stated. */
  readonly contextWindow?: number;
}

/** The data of Metrion's five providers, checked, without descriptions and extractors. */
export type PriceData = { readonly [P in ProviderId]: readonly DataModel[] };

/** The price data is not what the format promises; the message names where. */
export class InvalidPriceDataError extends Error {
  override readonly name = 'InvalidPriceDataError';
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function fail(where: string, what: string): never {
  throw new InvalidPriceDataError(`${where}: ${what}`);
}

function text(value: unknown, where: string): string {
  return typeof value === 'string' && value !== '' ? value : fail(where, 'expected a string');
}

function dollars(value: unknown, where: string): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
    ? value
    : fail(where, `expected a non-negative price, got ${JSON.stringify(value)}`);
}

const SINGLE_RULES = ['equals', 'starts_with', 'ends_with', 'contains', 'regex'] as const;

function matchLogic(value: unknown, where: string): DataMatchLogic {
  if (!isObject(value) || Object.keys(value).length !== 1) fail(where, 'expected one match rule');
  const [[kind, operand]] = Object.entries(value) as [[string, unknown]];
  if (kind === 'or' || kind === 'and') {
    if (!Array.isArray(operand) || operand.length === 0) fail(where, `${kind} needs rules`);
    const rules = operand.map((rule, index) => matchLogic(rule, `${where}.${kind}[${index}]`));
    return kind === 'or' ? { or: rules } : { and: rules };
  }
  if (!(SINGLE_RULES as readonly string[]).includes(kind)) fail(where, `unknown rule ${kind}`);
  const pattern = text(operand, `${where}.${kind}`);
  if (kind === 'regex') {
    try {
      new RegExp(pattern);
    } catch {
      fail(where, `regex ${pattern} does not compile`);
    }
  }
  return { [kind]: pattern } as DataMatchLogic;
}

function price(value: unknown, where: string): DataPrice {
  if (!isObject(value)) return dollars(value, where);
  if (!Array.isArray(value.tiers)) fail(where, 'expected a number or {base, tiers}');
  const tiers = value.tiers.map((tier: unknown, index) => {
    const at = `${where}.tiers[${index}]`;
    if (!isObject(tier)) fail(at, 'expected {start, price}');
    if (!Number.isSafeInteger(tier.start) || (tier.start as number) < 0) {
      fail(at, `start ${JSON.stringify(tier.start)} is not a token count`);
    }
    return { start: tier.start as number, price: dollars(tier.price, `${at}.price`) };
  });
  return { base: dollars(value.base, `${where}.base`), tiers };
}

function modelPrices(value: unknown, where: string): DataModelPrices {
  if (!isObject(value)) fail(where, 'expected prices');
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, price(inner, `${where}.${key}`)]),
  );
}

/** `{start_date}` or `{type: 'start_date', start_date}`; time-of-day prices are not supported. */
function conditional(value: unknown, where: string): DataConditionalPrices {
  if (!isObject(value)) fail(where, 'expected {constraint?, prices}');
  const prices = modelPrices(value.prices, `${where}.prices`);
  const constraint = value.constraint;
  if (constraint === undefined) return { prices };
  const startDate = isObject(constraint) ? constraint.start_date : undefined;
  const typeOk =
    isObject(constraint) && (constraint.type === undefined || constraint.type === 'start_date');
  if (typeof startDate !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(startDate) || !typeOk) {
    fail(where, `unsupported price constraint ${JSON.stringify(constraint)}`);
  }
  return { constraint: { start_date: startDate }, prices };
}

function model(value: unknown, where: string): DataModel {
  if (!isObject(value)) fail(where, 'expected a model');
  const id = text(value.id, `${where}.id`);
  const at = `${where}(${id})`;
  const window = value.context_window;
  return {
    id,
    match: matchLogic(value.match, `${at}.match`),
    prices: Array.isArray(value.prices)
      ? value.prices.map((entry, index) => conditional(entry, `${at}.prices[${index}]`))
      : modelPrices(value.prices, `${at}.prices`),
    // Optional in the data: a value that is not a token count is left out, never guessed.
    ...(Number.isSafeInteger(window) && (window as number) > 0
      ? { contextWindow: window as number }
      : {}),
  };
}

/**
 * Checks genai-prices data (an array of providers) and keeps the five providers Metrion proxies,
 * each model with its id, match rule and prices only.
 * @throws InvalidPriceDataError naming the first thing that does not fit, or a missing provider
 */
export function readPriceData(raw: unknown): PriceData {
  if (!Array.isArray(raw)) fail('data', 'expected an array of providers');
  const byId = new Map<string, Json>();
  for (const provider of raw) {
    if (isObject(provider) && typeof provider.id === 'string') byId.set(provider.id, provider);
  }
  const data = {} as Record<ProviderId, readonly DataModel[]>;
  for (const [metrionId, dataId] of Object.entries(GENAI_PROVIDER_IDS)) {
    const provider = byId.get(dataId) ?? fail('data', `provider ${dataId} is missing`);
    if (!Array.isArray(provider.models)) fail(dataId, 'expected models');
    data[metrionId as ProviderId] = provider.models.map((entry, index) =>
      model(entry, `${dataId}.models[${index}]`),
    );
  }
  return data;
}

/** The data in the format it was read from, so that {@link readPriceData} reads it back. */
export function priceDataJson(data: PriceData): string {
  return JSON.stringify(
    Object.entries(GENAI_PROVIDER_IDS).map(([metrionId, id]) => ({
      id,
      models: data[metrionId as ProviderId].map(({ contextWindow, ...model }) =>
        contextWindow === undefined ? model : { ...model, context_window: contextWindow },
      ),
    })),
  );
}
