// Generates functions/core/pricing/generated-prices.ts from @pydantic/genai-prices (a dev
// dependency): the five providers' per-token prices, converted exactly to integer micro-USD per
// million tokens. Run `npm run prices:generate` after bumping the package; a unit test fails
// while the committed table differs from what this produces.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ConditionalPrice,
  findProvider,
  type MatchLogic,
  type ModelPrice,
} from '@pydantic/genai-prices';
import { NON_TEXT_MODEL_WORDS } from '../functions/core/pricing/price-overrides.ts';
import type {
  MatchRule,
  ModelEntry,
  PricePeriod,
  PriceTable,
  Rate,
  TokenPrices,
} from '../functions/core/pricing/price-table.ts';
import type { ProviderId } from '../functions/core/providers/provider-registry.ts';

/** Metrion provider id -> the package's provider id. */
export const PACKAGE_PROVIDER_IDS = {
  anthropic: 'anthropic',
  openai: 'openai',
  gemini: 'google',
  mistral: 'mistral',
  grok: 'x-ai',
} as const satisfies Record<ProviderId, string>;

const MICROS_DIGITS = 6;

/**
 * Converts a decimal $/MTok price to integer micro-USD per MTok without float arithmetic: the
 * number's shortest round-trip text (`0.01875`) is the decimal the package's data states, and
 * its digits are shifted as text. Throws on more precision than 1 micro-USD/MTok, on negative,
 * non-finite or exponent-notation values, and above 2^53 - 1.
 */
export function toMicrosPerMTok(value: number, where: string): number {
  const text = String(value);
  const parts = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (parts === null) throw new Error(`${where}: price ${text} is not a plain decimal`);
  const [, whole = '0', fraction = ''] = parts;
  if (fraction.length > MICROS_DIGITS) {
    throw new Error(`${where}: price ${text} is finer than 1 micro-USD per MTok`);
  }
  const micros = BigInt(whole) * 10n ** BigInt(MICROS_DIGITS) + BigInt(fraction.padEnd(6, '0'));
  if (micros > BigInt(Number.MAX_SAFE_INTEGER))
    throw new Error(`${where}: price ${text} too large`);
  return Number(micros);
}

function toRate(value: ModelPrice[string], where: string): Rate | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return toMicrosPerMTok(value, where);
  const tiers = [...value.tiers]
    .sort((a, b) => a.start - b.start)
    .map((tier) => {
      if (!Number.isSafeInteger(tier.start) || tier.start < 0) {
        throw new Error(`${where}: tier start ${tier.start} is not a token count`);
      }
      return { above: tier.start, price: toMicrosPerMTok(tier.price, `${where} tier`) };
    });
  return { base: toMicrosPerMTok(value.base, where), tiers };
}

/** The four per-token prices Metrion bills; null unless both input and output are priced. */
function toTokenPrices(prices: ModelPrice, where: string): TokenPrices | null {
  const input = toRate(prices.input_mtok, `${where} input_mtok`);
  const output = toRate(prices.output_mtok, `${where} output_mtok`);
  if (input === undefined || output === undefined) return null;
  const cacheRead = toRate(prices.cache_read_mtok, `${where} cache_read_mtok`);
  const cacheWrite = toRate(prices.cache_write_mtok, `${where} cache_write_mtok`);
  return {
    input,
    output,
    ...(cacheRead === undefined ? {} : { cacheRead }),
    ...(cacheWrite === undefined ? {} : { cacheWrite }),
  };
}

function toPeriod(conditional: ConditionalPrice, where: string): PricePeriod {
  const constraint = conditional.constraint;
  if (constraint === undefined) return { prices: toTokenPrices(conditional.prices, where) };
  if (constraint.type !== 'start_date' || !/^\d{4}-\d{2}-\d{2}$/.test(constraint.start_date)) {
    throw new Error(`${where}: unsupported price constraint ${JSON.stringify(constraint)}`);
  }
  return { from: constraint.start_date, prices: toTokenPrices(conditional.prices, where) };
}

export function toMatchRule(logic: MatchLogic, where: string): MatchRule {
  if ('or' in logic) return { or: logic.or.map((inner) => toMatchRule(inner, where)) };
  if ('and' in logic) return { and: logic.and.map((inner) => toMatchRule(inner, where)) };
  if ('equals' in logic) return { equals: logic.equals };
  if ('starts_with' in logic) return { startsWith: logic.starts_with };
  if ('ends_with' in logic) return { endsWith: logic.ends_with };
  if ('contains' in logic) return { contains: logic.contains };
  if ('regex' in logic) {
    new RegExp(logic.regex); // throws on a pattern JavaScript cannot compile
    return { regex: logic.regex };
  }
  throw new Error(`${where}: unsupported match rule ${JSON.stringify(logic)}`);
}

type PackageModel = NonNullable<ReturnType<typeof findProvider>>['models'][number];

/**
 * Whether Metrion leaves a package model unpriced because its usage mixes in tokens it does not
 * record (see {@link NON_TEXT_MODEL_WORDS}): a word of its id names audio, image, realtime or
 * speech, or its data prices audio, image or video output (`output_audio_mtok` …).
 */
export function isNonTextModel(model: PackageModel): boolean {
  const words = new Set(model.id.toLowerCase().split('-'));
  if (NON_TEXT_MODEL_WORDS.some((word) => words.has(word))) return true;
  const periods = Array.isArray(model.prices)
    ? model.prices.map((conditional) => conditional.prices)
    : [model.prices];
  return periods.some((prices) =>
    Object.keys(prices).some((key) => key.startsWith('output_') && key !== 'output_mtok'),
  );
}

/** The five providers' models, in the package's match order, converted exactly. */
export function buildPriceTable(): PriceTable {
  const table = {} as Record<ProviderId, ModelEntry[]>;
  for (const [metrionId, packageId] of Object.entries(PACKAGE_PROVIDER_IDS)) {
    const provider = findProvider({ providerId: packageId });
    if (provider === undefined) throw new Error(`@pydantic/genai-prices has no ${packageId}`);
    table[metrionId as ProviderId] = provider.models.map((model) => {
      const where = `${packageId}/${model.id}`;
      const match = toMatchRule(model.match, where);
      // Kept with its match rule, so its ids resolve to it (unpriced), not to a text model.
      if (isNonTextModel(model)) return { id: model.id, match, periods: [{ prices: null }] };
      const periods = Array.isArray(model.prices)
        ? model.prices.map((conditional) => toPeriod(conditional, where))
        : [{ prices: toTokenPrices(model.prices, where) }];
      return { id: model.id, match, periods };
    });
  }
  return table;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const GENERATED_PRICES_PATH = path.join(ROOT, 'functions/core/pricing/generated-prices.ts');

/** The installed package's version (its package.json, which the package does not export). */
export function packageVersion(): string {
  const manifest = readFileSync(
    path.join(ROOT, 'node_modules/@pydantic/genai-prices/package.json'),
    'utf8',
  );
  return (JSON.parse(manifest) as { version: string }).version;
}

export function renderPriceModule(version: string, table: PriceTable): string {
  return `// GENERATED by scripts/generate-prices.ts from @pydantic/genai-prices@${version}: do not edit.
// Run \`npm run prices:generate\` after bumping the package; fix wrong or missing prices in
// price-overrides.ts instead. Prices are integer micro-USD per million tokens.
import type { PriceTable } from './price-table.ts';

/** Version of \`@pydantic/genai-prices\` the table below was generated from. */
export const GENAI_PRICES_VERSION = ${JSON.stringify(version)};

/** The five providers' models, in the package's match order. */
export const GENERATED_PRICES = ${JSON.stringify(table, null, 2)} as const satisfies PriceTable;
`;
}

if (import.meta.main) {
  writeFileSync(GENERATED_PRICES_PATH, renderPriceModule(packageVersion(), buildPriceTable()));
  execFileSync('npx', ['biome', 'check', '--write', GENERATED_PRICES_PATH], { stdio: 'inherit' });
  console.log(`wrote ${path.relative(ROOT, GENERATED_PRICES_PATH)}`);
}
