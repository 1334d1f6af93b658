import { calcPrice } from '@pydantic/genai-prices';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeCost, resolveModel } from '#core/pricing/bundled-prices.ts';
import { GENAI_PRICES_VERSION, GENERATED_PRICES } from '#core/pricing/generated-prices.ts';
import {
  type DataModel,
  GENAI_PROVIDER_IDS as PACKAGE_PROVIDER_IDS,
  readPriceData,
} from '#core/pricing/price-data.ts';
import { PRICE_OVERRIDES } from '#core/pricing/price-overrides.ts';
import { isNonTextModel, toMicrosPerMTok } from '#core/pricing/price-table-from-data.ts';
import { PROVIDER_IDS, type ProviderId } from '#core/providers/provider-registry.ts';
import {
  buildPriceTable,
  packagePriceData,
  packageVersion,
} from '../../../../scripts/generate-prices.ts';

const AT = new Date('2026-12-01T12:00:00Z');

describe('generated-prices.ts', () => {
  it('is what `npm run prices:generate` makes from the installed package (regenerate after a bump)', () => {
    expect(GENAI_PRICES_VERSION).toBe(packageVersion());
    expect(GENERATED_PRICES).toEqual(buildPriceTable());
  });

  it('carries only the five providers', () => {
    expect(Object.keys(GENERATED_PRICES).sort()).toEqual([...PROVIDER_IDS].sort());
  });
});

describe('toMicrosPerMTok', () => {
  it.each([
    [5, 5_000_000],
    [0.075, 75_000],
    [0.01875, 18_750],
    [3.125, 3_125_000],
    [0.000001, 1],
    [600, 600_000_000],
  ])('converts $%s / MTok exactly', (dollars, micros) => {
    expect(toMicrosPerMTok(dollars, 'test')).toBe(micros);
  });

  it.each([0.0000001, 1.0000005, -1, Number.NaN, 1e21])(
    'fails loudly on %s (finer than 1 micro-USD, negative or not a plain decimal)',
    (value) => {
      expect(() => toMicrosPerMTok(value, 'test')).toThrow();
    },
  );
});

/** The package's model as the price data schema reads it. */
function packageModel(provider: ProviderId, id: string): DataModel {
  const model = PACKAGE_DATA[provider].find((entry) => entry.id === id);
  if (model === undefined) throw new Error(`no ${provider}/${id} in the package`);
  return model;
}

const PACKAGE_DATA = readPriceData(packagePriceData());

describe('the generated table against the package', () => {
  // Every token-priced model of the five providers (overridden ones excluded: they differ on purpose).
  const overridden = new Set(
    PROVIDER_IDS.flatMap((provider) =>
      PRICE_OVERRIDES[provider].models.map(({ id }: { id: string }) => `${provider}/${id}`),
    ),
  );
  const models = PROVIDER_IDS.flatMap((provider) =>
    GENERATED_PRICES[provider]
      .filter((entry) => !overridden.has(`${provider}/${entry.id}`))
      .map((entry) => [provider, entry.id] as const),
  );

  it('prices random usage of every model like calcPrice, to float precision', () => {
    const count = fc.integer({ min: 0, max: 400_000 });
    fc.assert(
      fc.property(
        fc.constantFrom(...models),
        count,
        count,
        count,
        count,
        ([provider, id], input, output, cacheRead, cacheWrite) => {
          const usage = {
            inputTokens: input,
            outputTokens: output,
            cacheReadTokens: cacheRead,
            cacheWriteTokens: cacheWrite,
          };
          const ours = computeCost(provider, id, usage, AT.getTime());
          const theirs = calcPrice(
            {
              input_tokens: input + cacheRead + cacheWrite,
              output_tokens: output,
              cache_read_tokens: cacheRead,
              cache_write_tokens: cacheWrite,
            },
            id,
            { providerId: PACKAGE_PROVIDER_IDS[provider], timestamp: AT },
          );
          if (ours.costPicoUsd === null) {
            // Unpriced here: an audio/image/realtime model, or the package knows the model but
            // not per input AND output token.
            if (theirs !== null && isNonTextModel(packageModel(provider, theirs.model.id))) return;
            const prices = theirs?.model_price ?? {};
            expect(prices.input_mtok === undefined || prices.output_mtok === undefined).toBe(true);
            return;
          }
          expect(theirs?.model.id, `${provider}/${id}`).toBe(ours.pricedAs);
          const dollars = Number(ours.costPicoUsd) / 1e12;
          expect(Math.abs(dollars - (theirs?.total_price ?? Number.NaN))).toBeLessThanOrEqual(
            1e-9 * Math.max(1, dollars),
          );
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('resolves ids the way the package does for the ids its rules name', () => {
    for (const [provider, id] of models) {
      const theirs = calcPrice({ input_tokens: 1 }, id, {
        providerId: PACKAGE_PROVIDER_IDS[provider],
        timestamp: AT,
      });
      expect(resolveModel(provider, id), `${provider}/${id}`).toBe(theirs?.model.id);
    }
  });
});

describe('audio, realtime, speech and image models', () => {
  // Metrion records text-token counts only; these models' audio or image tokens cost more.
  it.each([
    ['openai', 'gpt-4o-audio-preview'],
    ['openai', 'gpt-4o-audio-preview-2024-12-17'],
    ['openai', 'gpt-4o-mini-audio-preview'],
    ['openai', 'gpt-4o-realtime-preview-2024-12-17'],
    ['openai', 'gpt-4o-mini-realtime-preview'],
    ['openai', 'gpt-realtime'],
    ['openai', 'gpt-audio'],
    ['openai', 'gpt-4o-mini-tts'],
    ['openai', 'gpt-4o-transcribe'],
    ['openai', 'whisper-1'],
    ['openai', 'gpt-image-1'],
    ['openai', 'gpt-5-image'],
    ['gemini', 'gemini-2.5-flash-tts'],
    ['gemini', 'gemini-2.5-flash-preview-tts'],
    ['gemini', 'gemini-2.5-pro-tts'],
    ['gemini', 'gemini-2.5-flash-image-preview'],
    ['gemini', 'gemini-3-pro-image-preview'],
    ['gemini', 'gemini-2.5-flash-native-audio-preview-09-2025'],
    ['gemini', 'gemini-live-2.5-flash'],
    ['grok', 'grok-voice-latest'],
  ] as const)('%s %s resolves to an unpriced model, never a text-token cost', (provider, id) => {
    expect(resolveModel(provider, id)).toBeDefined();
    const usage = { inputTokens: 1000, outputTokens: 100, cacheReadTokens: 0, cacheWriteTokens: 0 };
    expect(computeCost(provider, id, usage, AT.getTime()).costPicoUsd).toBeNull();
  });

  it.each([
    ['openai', 'gpt-4o'],
    ['openai', 'gpt-4o-mini'],
    ['openai', 'gpt-5'],
    ['gemini', 'gemini-2.5-flash'],
    ['gemini', 'gemini-2.5-flash-lite'],
    ['gemini', 'gemini-3-flash-preview'],
  ] as const)('keeps the text model %s %s priced', (provider, id) => {
    const usage = { inputTokens: 1000, outputTokens: 100, cacheReadTokens: 0, cacheWriteTokens: 0 };
    expect(computeCost(provider, id, usage, AT.getTime()).costPicoUsd).not.toBeNull();
  });
});

describe('PRICE_OVERRIDES', () => {
  it('names a source for every entry', () => {
    for (const provider of PROVIDER_IDS) {
      const { models, aliases } = PRICE_OVERRIDES[provider];
      for (const entry of [...models, ...Object.values(aliases)] as { source: string }[]) {
        expect(entry.source).toMatch(/^https:\/\//);
      }
    }
  });

  it('keeps only aliases the package does not match yet, pointing at models it prices', () => {
    for (const provider of PROVIDER_IDS) {
      const aliases: Record<string, { target: string }> = PRICE_OVERRIDES[provider].aliases;
      for (const [alias, { target }] of Object.entries(aliases)) {
        const packageMatch = calcPrice({ input_tokens: 1 }, alias, {
          providerId: PACKAGE_PROVIDER_IDS[provider],
        });
        expect(packageMatch, `${provider}/${alias} is now in the package: drop the alias`).toBe(
          null,
        );
        expect(GENERATED_PRICES[provider].some(({ id }) => id === target)).toBe(true);
      }
    }
  });
});
