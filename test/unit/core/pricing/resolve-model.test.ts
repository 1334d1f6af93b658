import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GENERATED_PRICES } from '#core/pricing/generated-prices.ts';
import { createModelIndex } from '#core/pricing/resolve-model.ts';
import { PROVIDER_IDS, type ProviderId } from '#core/providers/provider-registry.ts';
import { MAX_MODEL_ID_LENGTH } from '#core/usage/usage-record.ts';

const index = createModelIndex(GENERATED_PRICES);
const resolveModel = index.resolve;
const modelEntry = index.entry;

// Ids as callers send them or providers return them -> the price data's model id (package or
// override), `undefined` = unpriced. The model ids are the package's, so they look like the
// package names them (`claude-opus-4-0`, `grok-4-0709`, `gemini-3-flash-preview`).
const RESOLUTIONS: [ProviderId, string, string | undefined][] = [
  // Anthropic: dated ids, `-latest`, `-0` aliases, new minor versions are their own models.
  ['anthropic', 'claude-haiku-4-5-20251001', 'claude-haiku-4-5'],
  ['anthropic', 'claude-haiku-4-5', 'claude-haiku-4-5'],
  ['anthropic', 'claude-sonnet-4-5', 'claude-sonnet-4-5'],
  ['anthropic', 'claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
  ['anthropic', 'claude-sonnet-4-20250514', 'claude-sonnet-4-0'],
  ['anthropic', 'claude-sonnet-4-0', 'claude-sonnet-4-0'],
  ['anthropic', 'claude-opus-4-5-20251101', 'claude-opus-4-5'],
  ['anthropic', 'claude-opus-4-1-20250805', 'claude-opus-4-1'],
  ['anthropic', 'claude-opus-4-1', 'claude-opus-4-1'],
  ['anthropic', 'claude-opus-4-20250514', 'claude-opus-4-0'],
  ['anthropic', 'claude-opus-4-0', 'claude-opus-4-0'],
  ['anthropic', 'claude-3-7-sonnet-20250219', 'claude-3-7-sonnet-latest'],
  ['anthropic', 'claude-3-7-sonnet-latest', 'claude-3-7-sonnet-latest'],
  ['anthropic', 'claude-3-5-sonnet-latest', 'claude-3-5-sonnet'],
  ['anthropic', 'claude-3-5-sonnet-20240620', 'claude-3-5-sonnet'],
  ['anthropic', 'claude-3-5-haiku-20241022', 'claude-3-5-haiku-latest'],
  ['anthropic', 'claude-3-opus-latest', 'claude-3-opus-latest'],
  ['anthropic', 'claude-3-haiku-20240307', 'claude-3-haiku'],
  ['anthropic', 'claude-opus-4-6', 'claude-opus-4-6'],
  ['anthropic', 'claude-2.1', 'claude-2'],
  ['anthropic', 'claude', undefined],
  // OpenAI: the package's rules (dated snapshots, chat/codex variants, modality models).
  ['openai', 'gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
  ['openai', 'gpt-4o-mini', 'gpt-4o-mini'],
  ['openai', 'gpt-4o-2024-08-06', 'gpt-4o'],
  ['openai', 'gpt-4o-2024-11-20', 'gpt-4o'],
  ['openai', 'gpt-4o-2024-05-13', 'gpt-4o-2024-05-13'],
  ['openai', 'chatgpt-4o-latest', 'chatgpt-4o-latest'],
  ['openai', 'gpt-4o-mini-search-preview-2025-03-11', 'gpt-4o-mini'],
  ['openai', 'gpt-4o-audio-preview', 'gpt-4o-audio-preview'],
  ['openai', 'gpt-4o-realtime-preview-2024-12-17', 'gpt-4o-realtime-preview'],
  ['openai', 'gpt-4o-mini-tts', 'gpt-4o-mini-tts'],
  ['openai', 'gpt-4.1-nano', 'gpt-4.1-nano'],
  ['openai', 'gpt-4.1-nano-2025-04-14', 'gpt-4.1-nano'],
  ['openai', 'gpt-4.1-mini-2025-04-14', 'gpt-4.1-mini'],
  ['openai', 'gpt-4.1-2025-04-14', 'gpt-4.1'],
  ['openai', 'gpt-4.5-preview', 'gpt-4.5-preview'],
  ['openai', 'gpt-5', 'gpt-5'],
  ['openai', 'gpt-5-2025-08-07', 'gpt-5'],
  ['openai', 'gpt-5-mini-2025-08-07', 'gpt-5-mini'],
  ['openai', 'gpt-5-nano', 'gpt-5-nano'],
  ['openai', 'gpt-5-pro-2025-10-06', 'gpt-5-pro'],
  ['openai', 'gpt-5-chat-latest', 'gpt-5'],
  ['openai', 'gpt-5-codex', 'gpt-5'],
  ['openai', 'gpt-5-codex-mini', undefined],
  ['openai', 'gpt-5.1', 'gpt-5.1'],
  ['openai', 'gpt-5.1-2025-11-13', 'gpt-5.1'],
  ['openai', 'gpt-5.1-codex-mini', 'gpt-5.1-codex-mini'],
  ['openai', 'gpt-5.2', 'gpt-5.2'],
  ['openai', 'o1', 'o1'],
  ['openai', 'o1-2024-12-17', 'o1'],
  ['openai', 'o1-preview-2024-09-12', 'o1-preview'],
  ['openai', 'o1-mini-2024-09-12', 'o1-mini'],
  ['openai', 'o1-pro-2025-03-19', 'o1-pro'],
  ['openai', 'o3-2025-04-16', 'o3'],
  ['openai', 'o3-mini-2025-01-31', 'o3-mini'],
  ['openai', 'o3-pro', 'o3-pro'],
  ['openai', 'o3-deep-research-2025-06-26', 'o3-deep-research'],
  ['openai', 'o4-mini-2025-04-16', 'o4-mini'],
  ['openai', 'o4-mini-deep-research', 'o4-mini-deep-research'],
  ['openai', 'codex-mini-latest', 'codex-mini'],
  ['openai', 'gpt-4-turbo-2024-04-09', 'gpt-4-turbo'],
  ['openai', 'gpt-4-turbo-preview', 'gpt-4-turbo'],
  ['openai', 'gpt-4-0125-preview', 'gpt-4-turbo'],
  ['openai', 'gpt-4-1106-preview', 'gpt-4-turbo'],
  ['openai', 'gpt-4-0613', 'gpt-4'],
  ['openai', 'gpt-4-32k-0613', 'gpt-4-32k'],
  ['openai', 'gpt-3.5-turbo-0125', 'gpt-3.5-turbo'],
  ['openai', 'gpt-3.5-turbo-1106', 'gpt-3.5-turbo-1106'],
  ['openai', 'gpt-3.5-turbo-16k-0613', 'gpt-3.5-turbo-16k'],
  ['openai', 'gpt-3.5-turbo-instruct', 'gpt-3.5-turbo-instruct'],
  ['openai', 'GPT-4o-Mini', 'gpt-4o-mini'],
  ['openai', 'text-embedding-3-small', 'text-embedding-3-small'],
  ['openai', 'gpt-image-1', 'gpt-image-1'],
  ['openai', 'o2', undefined],
  ['openai', '', undefined],
  // Gemini: `models/` prefix, revision numbers, preview and experimental tags.
  ['gemini', 'gemini-2.5-pro', 'gemini-2.5-pro'],
  ['gemini', 'models/gemini-2.5-pro', 'gemini-2.5-pro'],
  ['gemini', 'gemini-2.5-pro-preview-06-05', 'gemini-2.5-pro'],
  ['gemini', 'gemini-2.5-pro-exp-03-25', 'gemini-2.5-pro'],
  ['gemini', 'gemini-2.5-flash-preview-05-20', 'gemini-2.5-flash-preview'],
  ['gemini', 'models/gemini-2.5-flash-preview-09-2025', 'gemini-2.5-flash'],
  ['gemini', 'gemini-2.5-flash-lite', 'gemini-2.5-flash-lite'],
  ['gemini', 'gemini-2.5-flash-lite-preview-06-17', 'gemini-2.5-flash-lite'],
  ['gemini', 'gemini-2.5-flash-image-preview', 'gemini-2.5-flash-image'],
  ['gemini', 'gemini-2.5-flash-preview-tts', 'gemini-2.5-flash-tts'],
  ['gemini', 'gemini-2.5-flash-native-audio-preview-09-2025', 'gemini-live-2.5-flash'],
  ['gemini', 'gemini-2.0-flash', 'gemini-2.0-flash'],
  ['gemini', 'gemini-2.0-flash-001', 'gemini-2.0-flash'],
  ['gemini', 'gemini-2.0-flash-exp', 'gemini-2.0-flash'],
  ['gemini', 'gemini-2.0-flash-lite-001', 'gemini-2.0-flash-lite'],
  ['gemini', 'gemini-2.0-flash-lite-preview-02-05', 'gemini-2.0-flash-lite'],
  ['gemini', 'gemini-1.5-pro-002', 'gemini-1.5-pro'],
  ['gemini', 'gemini-1.5-pro-latest', 'gemini-1.5-pro'],
  ['gemini', 'gemini-1.5-flash-002', 'gemini-1.5-flash'],
  ['gemini', 'gemini-1.5-flash-8b-001', 'gemini-1.5-flash-8b'],
  ['gemini', 'gemini-3-pro-preview', 'gemini-3-pro-preview'],
  ['gemini', 'gemini-3-pro-image-preview', 'gemini-3-pro-image-preview'],
  ['gemini', 'gemini-embedding-001', 'gemini-embedding-001'],
  ['gemini', 'gemma-3-27b-it', 'gemma-3'],
  // Mistral: YYMM snapshots and `-latest`.
  ['mistral', 'mistral-large-latest', 'mistral-large'],
  ['mistral', 'mistral-large-2411', 'mistral-large'],
  ['mistral', 'mistral-medium-2508', 'mistral-medium-3-1'],
  ['mistral', 'mistral-small-2503', undefined],
  ['mistral', 'mistral-small-latest', 'mistral-small-latest'],
  ['mistral', 'mistral-saba-latest', 'mistral-saba'],
  ['mistral', 'codestral-2501', 'codestral'],
  ['mistral', 'codestral-latest', 'codestral'],
  ['mistral', 'ministral-8b-2410', 'ministral-8b'],
  ['mistral', 'ministral-3b-latest', 'ministral-3b'],
  ['mistral', 'open-mistral-nemo-2407', 'mistral-nemo'],
  ['mistral', 'pixtral-large-2411', 'pixtral-large'],
  ['mistral', 'pixtral-12b-2409', 'pixtral-12b'],
  ['mistral', 'magistral-medium-2509', 'magistral-medium'],
  ['mistral', 'magistral-small-latest', 'magistral-small'],
  ['mistral', 'devstral-small-2507', 'devstral-small'],
  ['mistral', 'mistral-embed', 'mistral-embed'],
  ['mistral', 'mistral-ocr-latest', 'mistral-ocr-latest'],
  // Grok: MMDD snapshots, `-latest`, `-beta`, reasoning variants, fast tiers.
  ['grok', 'grok-4', 'grok-4-0709'],
  ['grok', 'grok-4-0709', 'grok-4-0709'],
  ['grok', 'grok-4-latest', 'grok-4-0709'],
  ['grok', 'grok-4-fast-reasoning', 'grok-4-fast-reasoning'],
  ['grok', 'grok-4-fast-non-reasoning', 'grok-4-fast-non-reasoning'],
  ['grok', 'grok-4-1-fast-reasoning', 'grok-4-1-fast-reasoning'],
  ['grok', 'grok-code-fast-1', 'grok-code-fast-1'],
  ['grok', 'grok-3', 'grok-3'],
  ['grok', 'grok-3-beta', 'grok-3'],
  ['grok', 'grok-3-fast-latest', 'grok-3-fast'],
  ['grok', 'grok-3-mini', 'grok-3-mini'],
  ['grok', 'grok-3-mini-beta', 'grok-3-mini'],
  ['grok', 'grok-3-mini-fast-latest', 'grok-3-mini-fast'],
  ['grok', 'grok-2-1212', 'grok-2-1212'],
  ['grok', 'grok-2-latest', 'grok-2-1212'],
  ['grok', 'grok-2-vision-1212', 'grok-2-vision-1212'],
  ['grok', 'grok-2-image-1212', undefined],
  ['grok', 'grok-4-2', undefined],
  ['grok', 'grok-1', undefined],
  // The 2026 models of issue 12 and the override entries.
  ['openai', 'gpt-5.2', 'gpt-5.2'],
  ['openai', 'gpt-5.4', 'gpt-5.4'],
  ['openai', 'gpt-5.4-2026-03-05', 'gpt-5.4'],
  ['anthropic', 'claude-sonnet-4-6', 'claude-sonnet-4-6'],
  ['anthropic', 'claude-opus-4-6', 'claude-opus-4-6'],
  ['anthropic', 'claude-opus-4-6-20260205', 'claude-opus-4-6'],
  ['gemini', 'gemini-3-flash', 'gemini-3-flash-preview'],
  ['gemini', 'gemini-3-flash-preview', 'gemini-3-flash-preview'],
  ['gemini', 'models/gemini-3-flash', 'gemini-3-flash-preview'],
  ['gemini', 'gemini-3-flash-latest', 'gemini-3-flash-preview'],
  ['gemini', 'gemini-3-pro', 'gemini-3-pro-preview'],
  ['gemini', 'gemini-1.5-flash-8b-001', 'gemini-1.5-flash-8b'],
  ['mistral', 'devstral-medium-2507', 'devstral-medium'],
];

describe('resolveModel', () => {
  it.each(RESOLUTIONS)('resolves %s %s to %s', (provider, modelId, expected) => {
    expect(resolveModel(provider, modelId)).toBe(expected);
  });

  it('prices a model only under its own provider', () => {
    expect(resolveModel('openai', 'claude-haiku-4-5')).toBeUndefined();
    expect(resolveModel('grok', 'gpt-4o')).toBeUndefined();
    expect(resolveModel('mistral', 'gemini-2.5-flash')).toBeUndefined();
  });

  it('leaves absurdly long ids unpriced', () => {
    expect(resolveModel('openai', `gpt-4o-${'x'.repeat(500)}`)).toBeUndefined();
  });

  it('resolves dated, `-latest` and `models/` forms of a model like the model itself', () => {
    const ids: [ProviderId, string][] = [
      ['anthropic', 'claude-opus-4-6'],
      ['anthropic', 'claude-sonnet-4-6'],
      ['openai', 'gpt-5.2'],
      ['openai', 'gpt-4o-mini'],
      ['gemini', 'gemini-3-flash'],
      ['gemini', 'gemini-2.5-pro'],
      ['mistral', 'mistral-large'],
      ['grok', 'grok-3'],
    ];
    const suffix = fc.oneof(
      fc
        .date({ min: new Date('2023-01-01'), max: new Date('2030-12-31'), noInvalidDate: true })
        .map((date) => `-${date.toISOString().slice(0, 10)}`),
      fc.integer({ min: 20230101, max: 20301231 }).map((day) => `-${day}`),
      fc.constantFrom('', '-latest'),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...ids),
        suffix,
        fc.boolean(),
        ([provider, id], tail, prefixed) => {
          const expected = resolveModel(provider, id);
          expect(expected).toBeDefined();
          expect(resolveModel(provider, `${prefixed ? 'models/' : ''}${id}${tail}`)).toBe(expected);
        },
      ),
    );
  });

  it('returns only model ids of the same provider', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PROVIDER_IDS),
        fc.oneof(
          fc.string(),
          fc
            .tuple(
              fc.constantFrom('gpt-5', 'claude-opus-4', 'gemini-3', 'mistral', 'grok-4', 'o3'),
              fc.array(fc.constantFrom('mini', 'pro', '4', '2024', 'x', 'latest', 'preview', '6'), {
                maxLength: 3,
              }),
            )
            .map(([base, parts]) => [base, ...parts].join('-')),
        ),
        (provider, modelId) => {
          const id = resolveModel(provider, modelId);
          if (id === undefined) return;
          expect(modelEntry(provider, id)?.id).toBe(id);
        },
      ),
    );
  });
});

describe('createModelIndex', () => {
  it('prices an id at the length limit after trimming, and none one character longer', () => {
    const padded = `${' '.repeat(MAX_MODEL_ID_LENGTH - 'gpt-4o-mini'.length)}gpt-4o-mini`;

    expect(padded).toHaveLength(MAX_MODEL_ID_LENGTH);
    expect(resolveModel('openai', padded)).toBe('gpt-4o-mini');
    expect(resolveModel('openai', ` ${padded}`)).toBeUndefined();
    expect(resolveModel('openai', '  GPT-4o-Mini\n')).toBe('gpt-4o-mini');
  });

  it('keeps an override entry over the price data entry with the same id', () => {
    const built = createModelIndex(GENERATED_PRICES);

    // The package lists text-embedding-3-small without a price; the override has $0.02 / MTok.
    expect(built.entry('openai', 'text-embedding-3-small')?.periods).toEqual([
      { prices: { input: 20_000, output: 0 } },
    ]);
    expect(built.resolve('gemini', 'gemini-3-pro')).toBe('gemini-3-pro-preview');
  });

  it('retries a compact date as a dashed one before stripping it', () => {
    const dashedOnly = {
      id: 'dated-model',
      match: { equals: 'dated-model-2025-05-14' },
      periods: [],
    };
    const built = createModelIndex({ ...GENERATED_PRICES, grok: [dashedOnly] });

    expect(built.resolve('grok', 'dated-model-20250514')).toBe('dated-model');
    expect(built.resolve('grok', 'dated-model')).toBeUndefined();
  });
});
