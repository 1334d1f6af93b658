import { describe, expect, it } from 'vitest';
import {
  MODEL_ALIASES,
  type ModelPrice,
  PRICE_TABLE_VERSION,
  PRICES,
} from '#core/pricing/prices.ts';
import { PROVIDER_IDS } from '#core/providers/provider-registry.ts';

const entries = PROVIDER_IDS.flatMap((provider) =>
  Object.entries(PRICES[provider] as Record<string, ModelPrice>).map(
    ([base, price]) => [provider, base, price] as const,
  ),
);

describe('PRICES', () => {
  it('dates its version as a real ISO calendar day', () => {
    expect(PRICE_TABLE_VERSION).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(new Date(`${PRICE_TABLE_VERSION}T00:00:00Z`).toISOString().slice(0, 10)).toBe(
      PRICE_TABLE_VERSION,
    );
  });

  it('prices several models of every provider', () => {
    for (const provider of PROVIDER_IDS) {
      expect(Object.keys(PRICES[provider]).length, provider).toBeGreaterThanOrEqual(9);
    }
  });

  it('lists every price as a non-negative safe integer of micro-USD per MTok', () => {
    for (const [provider, base, price] of entries) {
      for (const value of Object.values(price)) {
        expect(Number.isSafeInteger(value) && value >= 0, `${provider}/${base}: ${value}`).toBe(
          true,
        );
      }
    }
  });

  it('uses lower-case base ids without a price-neutral suffix, as resolveModel expects', () => {
    for (const [provider, base] of entries) {
      expect(base, provider).toBe(base.toLowerCase());
      expect(base, provider).not.toMatch(/-(latest|preview|exp)$|^models\//);
    }
  });

  it('never prices a cache read above the input price', () => {
    for (const [provider, base, price] of entries) {
      if (price.cacheReadMicrosPerMTok === undefined) continue;
      expect(price.cacheReadMicrosPerMTok, `${provider}/${base}`).toBeLessThan(
        price.inputMicrosPerMTok,
      );
    }
  });

  it('prices Anthropic cache writes at 1.25x and reads at 0.1x input (Haiku 3 as listed)', () => {
    for (const [base, price] of Object.entries(PRICES.anthropic) as [string, ModelPrice][]) {
      if (base === 'claude-3-haiku') {
        expect(price).toMatchObject({
          cacheWriteMicrosPerMTok: 300_000,
          cacheReadMicrosPerMTok: 30_000,
        });
        continue;
      }
      expect(price.cacheWriteMicrosPerMTok, base).toBe((price.inputMicrosPerMTok * 5) / 4);
      expect(price.cacheReadMicrosPerMTok, base).toBe(price.inputMicrosPerMTok / 10);
    }
  });

  it('holds a few list prices exactly', () => {
    expect(PRICES.openai['gpt-4o-mini']).toEqual({
      inputMicrosPerMTok: 150_000,
      outputMicrosPerMTok: 600_000,
      cacheReadMicrosPerMTok: 75_000,
    });
    expect(PRICES.anthropic['claude-sonnet-4-5'].inputMicrosPerMTok).toBe(3_000_000);
    expect(PRICES.gemini['gemini-2.5-flash'].outputMicrosPerMTok).toBe(2_500_000);
    expect(PRICES.mistral['mistral-large'].inputMicrosPerMTok).toBe(2_000_000);
    expect(PRICES.grok['grok-4'].cacheReadMicrosPerMTok).toBe(750_000);
  });
});

describe('MODEL_ALIASES', () => {
  it('maps only ids that are not priced themselves, to ids that are', () => {
    for (const provider of PROVIDER_IDS) {
      const prices: Record<string, ModelPrice> = PRICES[provider];
      for (const [alias, base] of Object.entries(MODEL_ALIASES[provider]) as [string, string][]) {
        expect(prices[alias], `${provider}/${alias}`).toBeUndefined();
        expect(prices[base], `${provider}/${alias} -> ${base}`).toBeDefined();
      }
    }
  });
});
