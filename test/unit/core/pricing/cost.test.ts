import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeCost, sumCosts } from '#core/pricing/cost.ts';
import { PRICE_TABLE_VERSION, PRICES } from '#core/pricing/prices.ts';
import { PROVIDER_IDS } from '#core/providers/provider-registry.ts';
import type { TokenUsage } from '#core/usage/usage-record.ts';

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
    );
    expect(result).toEqual({
      costPicoUsd: 150_000_000_000n,
      pricedAs: 'gpt-4o-mini',
      priceVersion: PRICE_TABLE_VERSION,
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
    const result = computeCost('anthropic', 'claude-sonnet-4-5-20250929', counts);
    // Assert: 3_000_000_000 + 7_500_000_000 + 600_000_000 + 1_125_000_000
    expect(result.costPicoUsd).toBe(12_225_000_000n);
    expect(result.pricedAs).toBe('claude-sonnet-4-5');
  });

  it('prices a Gemini request with cached input and a models/ preview id', () => {
    const result = computeCost(
      'gemini',
      'models/gemini-2.5-flash-preview-05-20',
      usage({ inputTokens: 12_345, outputTokens: 678, cacheReadTokens: 1000 }),
    );
    // 12_345 x 300_000 + 678 x 2_500_000 + 1000 x 30_000
    expect(result.costPicoUsd).toBe(5_428_500_000n);
  });

  it('prices a snapshot with its own list price apart from its family', () => {
    const counts = usage({ inputTokens: 1_000_000, outputTokens: 1_000_000 });
    expect(computeCost('openai', 'gpt-4o-2024-05-13', counts).costPicoUsd).toBe(
      20_000_000_000_000n,
    );
    expect(computeCost('openai', 'gpt-4o-2024-08-06', counts).costPicoUsd).toBe(
      12_500_000_000_000n,
    );
  });

  it('falls back to the input price for cache counts without a cache price', () => {
    const cacheOnly = usage({ cacheReadTokens: 100, cacheWriteTokens: 10 });
    // Mistral lists no cache prices: 110 x $2 per MTok.
    expect(computeCost('mistral', 'mistral-large-latest', cacheOnly).costPicoUsd).toBe(
      220_000_000n,
    );
    // gpt-4o-mini lists a cache read ($0.075) but no write: 100 x 75_000 + 10 x 150_000.
    expect(computeCost('openai', 'gpt-4o-mini', cacheOnly).costPicoUsd).toBe(9_000_000n);
  });

  it('returns zero, not null, for a priced model with no tokens', () => {
    expect(computeCost('grok', 'grok-4', usage({})).costPicoUsd).toBe(0n);
  });

  it('records an unknown model as unpriced (null, never 0) with the table version', () => {
    const result = computeCost('openai', 'gpt-9-ultra', usage({ inputTokens: 1000 }));
    expect(result).toEqual({ costPicoUsd: null, priceVersion: PRICE_TABLE_VERSION });
    expect(result).not.toHaveProperty('pricedAs');
  });

  it('stays exact where float arithmetic would not', () => {
    // MAX_SAFE_INTEGER o1-pro output tokens at $600 per MTok: the product exceeds 2^53.
    const result = computeCost(
      'openai',
      'o1-pro',
      usage({ outputTokens: Number.MAX_SAFE_INTEGER, inputTokens: 1 }),
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
    expect(() => computeCost('openai', 'gpt-4o', usage(counts))).toThrow(RangeError);
  });

  it('is additive over usage for every priced model', () => {
    const pricedModel = fc.constantFrom(
      ...PROVIDER_IDS.flatMap((provider) =>
        Object.keys(PRICES[provider]).map((base) => [provider, base] as const),
      ),
    );
    const count = fc.integer({ min: 0, max: 2 ** 40 });
    const counts = fc.record({
      inputTokens: count,
      outputTokens: count,
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
        const costA = computeCost(provider, model, a).costPicoUsd;
        const costB = computeCost(provider, model, b).costPicoUsd;
        expect(costA).not.toBeNull();
        expect(computeCost(provider, model, sum).costPicoUsd).toBe((costA ?? 0n) + (costB ?? 0n));
      }),
    );
  });

  it('charges one input token at exactly the listed input price in pico-USD', () => {
    for (const provider of PROVIDER_IDS) {
      for (const [model, price] of Object.entries(PRICES[provider])) {
        expect(computeCost(provider, model, usage({ inputTokens: 1 })).costPicoUsd, model).toBe(
          BigInt(price.inputMicrosPerMTok),
        );
      }
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
