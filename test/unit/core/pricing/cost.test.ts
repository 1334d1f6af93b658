import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUNDLED_PRICE_VERSION, computeCost } from '#core/pricing/bundled-prices.ts';
import { sumCosts } from '#core/pricing/cost.ts';
import { GENERATED_PRICES } from '#core/pricing/generated-prices.ts';
import { PROVIDER_IDS } from '#core/providers/provider-registry.ts';
import type { TokenUsage } from '#core/usage/usage-record.ts';

const AT = Date.parse('2026-12-01T10:00:00Z');

const usage = (counts: Partial<TokenUsage>): TokenUsage => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  ...counts,
});

describe('computeCost', () => {
  it('prices one million gpt-4o-mini input tokens at exactly $0.15', () => {
    const result = computeCost(
      'openai',
      'gpt-4o-mini-2024-07-18',
      usage({ inputTokens: 1_000_000 }),
      AT,
    );
    expect(result).toEqual({
      costPicoUsd: 150_000_000_000n,
      pricedAs: 'gpt-4o-mini',
      priceVersion: BUNDLED_PRICE_VERSION,
    });
  });

  it('prices each disjoint count at its own rate', () => {
    // Arrange: 1000 x $3 + 500 x $15 + 2000 x $0.30 + 300 x $3.75 per MTok
    const counts = usage({
      inputTokens: 1000,
      outputTokens: 500,
      cacheReadTokens: 2000,
      cacheWriteTokens: 300,
    });
    // Act
    const result = computeCost('anthropic', 'claude-sonnet-4-5-20250929', counts, AT);
    // Assert: 3_000_000_000 + 7_500_000_000 + 600_000_000 + 1_125_000_000
    expect(result.costPicoUsd).toBe(12_225_000_000n);
    expect(result.pricedAs).toBe('claude-sonnet-4-5');
  });

  it('prices a Gemini request with cached input and a models/ id', () => {
    const result = computeCost(
      'gemini',
      'models/gemini-2.5-flash',
      usage({ inputTokens: 12_345, outputTokens: 678, cacheReadTokens: 1000 }),
      AT,
    );
    // 12_345 x 300_000 + 678 x 2_500_000 + 1000 x 30_000
    expect(result.costPicoUsd).toBe(5_428_500_000n);
  });

  it('prices a snapshot with its own list price apart from its family', () => {
    const counts = usage({ inputTokens: 1_000_000, outputTokens: 1_000_000 });
    expect(computeCost('openai', 'gpt-4o-2024-05-13', counts, AT).costPicoUsd).toBe(
      20_000_000_000_000n,
    );
    expect(computeCost('openai', 'gpt-4o-2024-08-06', counts, AT).costPicoUsd).toBe(
      12_500_000_000_000n,
    );
  });

  it('falls back to the input price for cache counts without a cache price', () => {
    const cacheOnly = usage({ cacheReadTokens: 100, cacheWriteTokens: 10 });
    // Mistral lists no cache prices: 110 x $2 per MTok.
    expect(computeCost('mistral', 'mistral-large-latest', cacheOnly, AT).costPicoUsd).toBe(
      220_000_000n,
    );
    // gpt-4o-mini lists a cache read ($0.075) but no write: 100 x 75_000 + 10 x 150_000.
    expect(computeCost('openai', 'gpt-4o-mini', cacheOnly, AT).costPicoUsd).toBe(9_000_000n);
  });

  it('returns zero, not null, for a priced model with no tokens', () => {
    expect(computeCost('grok', 'grok-4', usage({}), AT).costPicoUsd).toBe(0n);
  });

  it('records an unknown model as unpriced (null, never 0) with the table version', () => {
    const result = computeCost('openai', 'gpt-9-ultra', usage({ inputTokens: 1000 }), AT);
    expect(result).toEqual({ costPicoUsd: null, priceVersion: BUNDLED_PRICE_VERSION });
    expect(result).not.toHaveProperty('pricedAs');
  });

  it('stays exact where float arithmetic would not', () => {
    // MAX_SAFE_INTEGER o1-pro output tokens at $600 per MTok: the product exceeds 2^53.
    const result = computeCost(
      'openai',
      'o1-pro',
      usage({ outputTokens: Number.MAX_SAFE_INTEGER, inputTokens: 1 }),
      AT,
    );
    const exact = 5_404_319_552_844_594_600_000_000n + 150_000_000n;
    expect(result.costPicoUsd).toBe(exact);
    expect(BigInt(Number.MAX_SAFE_INTEGER * 600_000_000 + 150_000_000)).not.toBe(exact);
  });

  it.each([
    ['negative', { inputTokens: -1 }],
    ['fractional', { outputTokens: 1.5 }],
    ['unsafe', { cacheReadTokens: 2 ** 53 }],
    ['NaN', { cacheWriteTokens: Number.NaN }],
  ])('rejects a %s token count', (_kind, counts) => {
    expect(() => computeCost('openai', 'gpt-4o', usage(counts), AT)).toThrow(RangeError);
  });

  it('is additive over usage below the context tiers, for every token-priced model', () => {
    const pricedModel = fc.constantFrom(
      ...PROVIDER_IDS.flatMap((provider) =>
        GENERATED_PRICES[provider]
          .filter((entry) => computeCost(provider, entry.id, usage({}), AT).costPicoUsd !== null)
          .map((entry) => [provider, entry.id] as const),
      ),
    );
    // Both halves and their sum stay at or below 120k input tokens: no tier starts that low.
    const count = fc.integer({ min: 0, max: 20_000 });
    const counts = fc.record({
      inputTokens: count,
      outputTokens: fc.integer({ min: 0, max: 2 ** 40 }),
      cacheReadTokens: count,
      cacheWriteTokens: count,
    });
    fc.assert(
      fc.property(pricedModel, counts, counts, ([provider, model], a, b) => {
        const sum = usage({
          inputTokens: a.inputTokens + b.inputTokens,
          outputTokens: a.outputTokens + b.outputTokens,
          cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
          cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
        });
        const costA = computeCost(provider, model, a, AT).costPicoUsd;
        const costB = computeCost(provider, model, b, AT).costPicoUsd;
        expect(costA).not.toBeNull();
        expect(computeCost(provider, model, sum, AT).costPicoUsd).toBe(
          (costA ?? 0n) + (costB ?? 0n),
        );
      }),
    );
  });

  it('prices the 2026 models of the issue at their exact list prices', () => {
    const oneMillionEach = usage({
      inputTokens: 1_000_000 - 200_000,
      outputTokens: 1_000_000,
      cacheReadTokens: 100_000,
      cacheWriteTokens: 100_000,
    });
    const small = usage({ inputTokens: 1000, outputTokens: 100 });
    // claude-opus-4-6: $5 in, $25 out per MTok.
    expect(computeCost('anthropic', 'claude-opus-4-6', small, AT).costPicoUsd).toBe(
      1000n * 5_000_000n + 100n * 25_000_000n,
    );
    // claude-sonnet-4-6: $3 / $15.
    expect(computeCost('anthropic', 'claude-sonnet-4-6', small, AT).costPicoUsd).toBe(
      1000n * 3_000_000n + 100n * 15_000_000n,
    );
    // gpt-5.2: $1.75 / $14.
    expect(computeCost('openai', 'gpt-5.2', small, AT).costPicoUsd).toBe(
      1000n * 1_750_000n + 100n * 14_000_000n,
    );
    // gpt-5.4: $2.50 / $15 (and $5 / $22.50 above 272k input, below).
    expect(computeCost('openai', 'gpt-5.4-2026-03-05', small, AT).costPicoUsd).toBe(
      1000n * 2_500_000n + 100n * 15_000_000n,
    );
    // gemini-3-flash (the package's gemini-3-flash-preview): $0.50 / $3.
    expect(computeCost('gemini', 'gemini-3-flash', small, AT)).toEqual({
      costPicoUsd: 1000n * 500_000n + 100n * 3_000_000n,
      pricedAs: 'gemini-3-flash-preview',
      priceVersion: BUNDLED_PRICE_VERSION,
    });
    // Above 200k input Gemini 3 Pro bills every token at its tier: $4 in, $18 out, $0.40 cached.
    expect(computeCost('gemini', 'gemini-3-pro-preview', oneMillionEach, AT).costPicoUsd).toBe(
      800_000n * 4_000_000n +
        1_000_000n * 18_000_000n +
        100_000n * 400_000n +
        100_000n * 4_000_000n,
    );
  });

  it('applies a context tier only above its threshold, counting cached input', () => {
    const at = (inputTokens: number, cacheReadTokens: number) =>
      computeCost(
        'anthropic',
        'claude-sonnet-4-5',
        usage({ inputTokens, cacheReadTokens, outputTokens: 1 }),
        AT,
      ).costPicoUsd;
    // 200_000 input tokens exactly: base prices ($3 in, $15 out, $0.30 cached).
    expect(at(150_000, 50_000)).toBe(150_000n * 3_000_000n + 15_000_000n + 50_000n * 300_000n);
    // One more (cached) token: every token at the tier ($6, $22.50, $0.60).
    expect(at(150_000, 50_001)).toBe(150_000n * 6_000_000n + 22_500_000n + 50_001n * 600_000n);
  });

  it('uses the prices in force on the request day (dated price periods)', () => {
    const big = usage({ inputTokens: 300_000 });
    // Before 2026-03-13 claude-opus-4-6 charged $10 / MTok above 200k input; from then on $5.
    expect(
      computeCost('anthropic', 'claude-opus-4-6', big, Date.parse('2026-03-12T23:59:59Z'))
        .costPicoUsd,
    ).toBe(300_000n * 10_000_000n);
    expect(
      computeCost('anthropic', 'claude-opus-4-6', big, Date.parse('2026-03-13T00:00:00Z'))
        .costPicoUsd,
    ).toBe(300_000n * 5_000_000n);
  });

  it('keeps known models without per-token prices unpriced, never 0', () => {
    for (const [provider, model] of [
      ['openai', 'whisper-1'],
      ['gemini', 'gemma-3-27b-it'],
      ['mistral', 'mistral-ocr-latest'],
      ['grok', 'grok-voice-latest'],
    ] as const) {
      expect(computeCost(provider, model, usage({ inputTokens: 10 }), AT).costPicoUsd, model).toBe(
        null,
      );
    }
  });
});

describe('embeddings (issue 14)', () => {
  it('prices embedding models from their input tokens (price overrides)', () => {
    for (const [provider, model, microUsdPerMTok] of [
      ['openai', 'text-embedding-3-small', 20_000n],
      ['openai', 'text-embedding-3-large', 130_000n],
      ['openai', 'text-embedding-ada-002', 100_000n],
      ['gemini', 'gemini-embedding-001', 150_000n],
      ['mistral', 'mistral-embed', 100_000n],
    ] as const) {
      expect(computeCost(provider, model, usage({ inputTokens: 10 }), AT).costPicoUsd, model).toBe(
        10n * microUsdPerMTok,
      );
    }
  });
});

describe('sumCosts', () => {
  it('adds priced costs exactly and counts unpriced ones', () => {
    expect(sumCosts([150_000_000_000n, null, 2n ** 70n, null, 0n])).toEqual({
      pricedPicoUsd: 150_000_000_000n + 2n ** 70n,
      unpricedCount: 2,
    });
  });

  it('sums nothing to zero', () => {
    expect(sumCosts([])).toEqual({ pricedPicoUsd: 0n, unpricedCount: 0 });
  });
});
