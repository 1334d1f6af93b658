import type { ProviderId } from '../providers/provider-registry.ts';
import { MAX_MODEL_ID_LENGTH } from '../usage/usage-record.ts';
import { PRICE_OVERRIDES } from './price-overrides.ts';
import { type ModelEntry, matchesRule, type PriceTable } from './price-table.ts';

/**
 * One trailing suffix that never changes the price: `-latest`, a date (`-20251001`,
 * `-2024-07-18`), a snapshot or revision number (`-1212`, `-2411`, `-0613`, `-002`), or a
 * preview / experimental tag with its optional date (`-preview-05-20`, `-preview-09-2025`,
 * `-exp-1206`). A bare 1-2 digit segment is NOT a suffix: `claude-opus-4-6` is a new model.
 */
const PRICE_NEUTRAL_SUFFIX =
  /-(?:latest|\d{8}|\d{4}-\d{2}-\d{2}|\d{3,4}|(?:preview|exp)(?:-\d{2}-\d{2}|-\d{2}-\d{4}|-\d{4})?)$/;

/** The package's own retry: a compact date `-20250514` written as `-2025-05-14`. */
const COMPACT_DATE = /-(20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=-|:|$)/g;

/** Resolved ids kept per process; cleared when full so caller-chosen ids cannot grow it. */
const MEMO_LIMIT = 2_000;

interface ProviderModels {
  /** Override models first, then the price data's models without the overridden ids, in order. */
  readonly entries: readonly ModelEntry[];
  readonly byId: ReadonlyMap<string, ModelEntry>;
  readonly aliases: ReadonlyMap<string, string>;
  readonly memo: Map<string, string | undefined>;
}

function buildModels(provider: ProviderId, table: PriceTable): ProviderModels {
  const overrides = PRICE_OVERRIDES[provider];
  const overridden = new Set<string>(overrides.models.map((entry: ModelEntry) => entry.id));
  const entries: readonly ModelEntry[] = [
    ...overrides.models,
    ...table[provider].filter((entry) => !overridden.has(entry.id)),
  ];
  const aliases = new Map<string, string>();
  for (const [alias, { target }] of Object.entries(overrides.aliases)) {
    aliases.set(alias.toLowerCase(), target);
  }
  return {
    entries,
    byId: new Map(entries.map((entry) => [entry.id, entry])),
    aliases,
    memo: new Map(),
  };
}

function matchOnce(models: ProviderModels, id: string): string | undefined {
  for (const entry of models.entries) if (matchesRule(entry.match, id)) return entry.id;
  return models.aliases.get(id);
}

function resolveUncached(models: ProviderModels, lowered: string): string | undefined {
  let id = lowered.startsWith('models/') ? lowered.slice('models/'.length) : lowered;
  for (;;) {
    const matched = matchOnce(models, id);
    if (matched !== undefined) return matched;
    const dashedDate = id.replace(COMPACT_DATE, '-$1-$2-$3');
    if (dashedDate !== id) {
      const matchedDashed = matchOnce(models, dashedDate);
      if (matchedDashed !== undefined) return matchedDashed;
    }
    const stripped = id.replace(PRICE_NEUTRAL_SUFFIX, '');
    if (stripped === id) return undefined;
    id = stripped;
  }
}

/** The models of one price table (with the overrides), by provider. */
export interface ModelIndex {
  /**
   * Maps a model id as sent by the caller or returned by the provider to the id of the model it
   * is priced as (see {@link ModelIndex.entry}), or `undefined` when it has no price (unpriced).
   *
   * In order, on the trimmed, lower-cased id without a `models/` prefix (Gemini): the match
   * rules of the override models and then of the price data (first match wins, as in
   * `@pydantic/genai-prices`), the override aliases, the package's compact-date retry
   * (`-20250514` as `-2025-05-14`); then price-neutral suffixes are stripped one at a time
   * (`-latest`, dates, snapshot numbers, `-preview-…`) and the same is tried again. Pure apart
   * from a bounded memo.
   *
   * @example resolve('openai', 'gpt-4o-mini-2024-07-18') // 'gpt-4o-mini'
   * @example resolve('gemini', 'gemini-3-flash') // 'gemini-3-flash-preview' (override alias)
   */
  resolve(provider: ProviderId, modelId: string): string | undefined;
  /** The model entry (override or price data) with this id, for pricing a resolved id. */
  entry(provider: ProviderId, id: string): ModelEntry | undefined;
}

/** Indexes a price table's models, with the overrides before them (built once per table). */
export function createModelIndex(table: PriceTable): ModelIndex {
  const models = {
    anthropic: buildModels('anthropic', table),
    openai: buildModels('openai', table),
    gemini: buildModels('gemini', table),
    mistral: buildModels('mistral', table),
    grok: buildModels('grok', table),
  } satisfies Record<ProviderId, ProviderModels>;
  return {
    resolve(provider, modelId) {
      if (modelId.length > MAX_MODEL_ID_LENGTH) return undefined;
      const providerModels = models[provider];
      const lowered = modelId.trim().toLowerCase();
      if (providerModels.memo.has(lowered)) return providerModels.memo.get(lowered);
      const resolved = resolveUncached(providerModels, lowered);
      if (providerModels.memo.size >= MEMO_LIMIT) providerModels.memo.clear();
      providerModels.memo.set(lowered, resolved);
      return resolved;
    },
    entry: (provider, id) => models[provider].byId.get(id),
  };
}
