import { describe, expect, it } from 'vitest';
import { computeCost } from '#core/pricing/bundled-prices.ts';
import { createPriceCatalog } from '#core/pricing/price-catalog.ts';
import { PRICE_OVERRIDES_VERSION } from '#core/pricing/price-overrides.ts';
import type { PriceTable } from '#core/pricing/price-table.ts';
import { SERVICE_TIER_PRICES } from '#core/pricing/service-tier-prices.ts';
import type { TokenUsage } from '#core/usage/usage-record.ts';

const AT = Date.parse('2026-12-01T10:00:00Z');
const usage = (counts: Partial<TokenUsage>): TokenUsage => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  ...counts,
});

/** A table with one Anthropic model priced like Haiku 4.5 but without a 1-hour write price. */
const TABLE: PriceTable = {
  anthropic: [
    {
      id: 'claude-test',
      match: { startsWith: 'claude-test' },
      periods: [
        {
          prices: {
            input: 1_000_000,
            output: 5_000_000,
            cacheRead: 100_000,
            cacheWrite: 1_250_000,
          },
        },
      ],
    },
  ],
  openai: [],
  gemini: [],
  mistral: [],
  grok: [],
};

describe('cache-write lifetimes', () => {
  it('prices a 1-hour Anthropic cache write at 2x the base input price', () => {
    // claude-sonnet-4-5: input $3, 1-hour write $6 per MTok (anthropic.com/pricing); 100k
    // tokens stay below its 200k long-context tier.
    const tokens = 100_000;
    const oneHour = usage({
      cacheWriteTokens: tokens,
      cacheWrite5mTokens: 0,
      cacheWrite1hTokens: tokens,
    });
    const input = usage({ inputTokens: tokens });
    const write = computeCost('anthropic', 'claude-sonnet-4-5', oneHour, AT).costPicoUsd;
    expect(write).toBe(600_000_000_000n);
    const base = computeCost('anthropic', 'claude-sonnet-4-5', input, AT).costPicoUsd;
    expect(write).toBe(2n * (base ?? 0n));
  });

  it('prices each lifetime at its own price: 5 minutes 1.25x, 1 hour 2x the input', () => {
    const split = usage({
      cacheWriteTokens: 3_000,
      cacheWrite5mTokens: 1_000,
      cacheWrite1hTokens: 2_000,
    });
    // claude-haiku-4-5: 1_000 x $1.25 + 2_000 x $2 per MTok = 1_250_000_000 + 4_000_000_000 pico.
    expect(computeCost('anthropic', 'claude-haiku-4-5', split, AT).costPicoUsd).toBe(
      5_250_000_000n,
    );
  });

  it('prices writes without a split as 5-minute writes', () => {
    const writes = usage({ cacheWriteTokens: 1_000 });
    expect(computeCost('anthropic', 'claude-haiku-4-5', writes, AT).costPicoUsd).toBe(
      1_250_000_000n,
    );
  });

  it('prices 1-hour writes at 2x input where the data lists no 1-hour price', () => {
    const catalog = createPriceCatalog({ dataVersion: 'test@1', table: TABLE });
    const oneHour = usage({
      cacheWriteTokens: 500,
      cacheWrite5mTokens: 0,
      cacheWrite1hTokens: 500,
    });
    // 500 x $2 per MTok.
    expect(catalog.computeCost('anthropic', 'claude-test', oneHour, AT).costPicoUsd).toBe(
      1_000_000_000n,
    );
  });

  it('prices the lifetimes of a long-context request at the long-context tier', () => {
    // claude-sonnet-4-5 above 200k input: input $6, 5-minute write $7.50, 1-hour write $12.
    const counts = usage({
      inputTokens: 150_000,
      cacheWriteTokens: 100_000,
      cacheWrite5mTokens: 40_000,
      cacheWrite1hTokens: 60_000,
    });
    const expected = 150_000n * 6_000_000n + 40_000n * 7_500_000n + 60_000n * 12_000_000n;
    expect(computeCost('anthropic', 'claude-sonnet-4-5', counts, AT).costPicoUsd).toBe(expected);
  });
});

describe('service tiers', () => {
  const counts = usage({ inputTokens: 10_000, cacheReadTokens: 2_000, outputTokens: 3_000 });

  it('prices a flex answer at half the standard price (the Batch rates)', () => {
    for (const model of Object.keys(SERVICE_TIER_PRICES.openai.flex)) {
      const standard = computeCost('openai', model, counts, AT, 'default').costPicoUsd;
      const flex = computeCost('openai', model, counts, AT, 'flex');
      expect(flex.tierUnpriced, model).toBeUndefined();
      expect(2n * (flex.costPicoUsd ?? -1n), model).toBe(standard);
    }
  });

  it('prices a priority answer at the published priority rates', () => {
    // gpt-5 priority: $2.50 input, $0.25 cached input, $20 output per MTok.
    const expected = 10_000n * 2_500_000n + 2_000n * 250_000n + 3_000n * 20_000_000n;
    expect(computeCost('openai', 'gpt-5-2025-08-07', counts, AT, 'priority')).toEqual({
      costPicoUsd: expected,
      pricedAs: 'gpt-5',
      priceVersion: expect.stringMatching(/\+overrides@\d+$/),
    });
  });

  it('prices the standard tiers from the price data, unflagged', () => {
    const none = computeCost('openai', 'gpt-5', counts, AT);
    for (const tier of ['default', 'standard']) {
      expect(computeCost('openai', 'gpt-5', counts, AT, tier)).toEqual(none);
    }
  });

  it('prices a tier it has no price for at the standard rate, flagged tierUnpriced', () => {
    const standard = computeCost('openai', 'gpt-4o', counts, AT);
    for (const [provider, model, tier] of [
      ['openai', 'gpt-4o', 'flex'],
      ['openai', 'gpt-4o', 'scale'],
    ] as const) {
      expect(computeCost(provider, model, counts, AT, tier)).toEqual({
        ...standard,
        tierUnpriced: true,
      });
    }
    const anthropic = computeCost('anthropic', 'claude-haiku-4-5', counts, AT, 'priority');
    expect(anthropic.tierUnpriced).toBe(true);
    expect(anthropic.costPicoUsd).toBe(
      computeCost('anthropic', 'claude-haiku-4-5', counts, AT).costPicoUsd,
    );
  });

  it('leaves an unknown model unpriced without a tier flag', () => {
    expect(computeCost('openai', 'gpt-9-ultra', counts, AT, 'flex')).toEqual({
      costPicoUsd: null,
      priceVersion: expect.any(String),
    });
  });

  it('names a source for every tier price', () => {
    for (const tiers of Object.values(SERVICE_TIER_PRICES)) {
      for (const models of Object.values(tiers)) {
        for (const { source } of Object.values(models)) expect(source).toMatch(/^https:\/\//);
      }
    }
  });
});

describe('createPriceCatalog', () => {
  it('versions a catalog as its data version plus the overrides', () => {
    const catalog = createPriceCatalog({
      dataVersion: 'genai-prices-data@2026-12-07T03:00:00.000Z',
      table: TABLE,
    });
    expect(catalog.version).toBe(
      `genai-prices-data@2026-12-07T03:00:00.000Z+overrides@${PRICE_OVERRIDES_VERSION}`,
    );
    expect(
      catalog.computeCost('anthropic', 'claude-test-1', usage({ inputTokens: 1 }), AT),
    ).toEqual({
      costPicoUsd: 1_000_000n,
      pricedAs: 'claude-test',
      priceVersion: catalog.version,
    });
  });

  it('prices only what its own table knows', () => {
    const catalog = createPriceCatalog({ dataVersion: 'test@1', table: TABLE });
    expect(catalog.resolveModel('anthropic', 'claude-haiku-4-5')).toBeUndefined();
    expect(
      catalog.computeCost('anthropic', 'claude-haiku-4-5', usage({}), AT).costPicoUsd,
    ).toBeNull();
  });
});
