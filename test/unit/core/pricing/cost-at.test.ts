// costAt on hand-made prices (micro-USD per million tokens is pico-USD per token), so each
// expectation is a hand product: tiers listed in any order, the 1-hour cache-write default of
// twice the input price at every tier, and the token-count guard.
import { describe, expect, it } from 'vitest';
import { assertTokenCounts, costAt } from '#core/pricing/cost.ts';
import type { TokenPrices } from '#core/pricing/price-table.ts';
import type { TokenUsage } from '#core/usage/usage-record.ts';

const usage = (counts: Partial<TokenUsage>): TokenUsage => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  ...counts,
});

describe('costAt', () => {
  it('applies the highest tier exceeded even when the data lists tiers out of order', () => {
    const prices: TokenPrices = {
      input: {
        base: 1_000_000,
        tiers: [
          { above: 200, price: 3_000_000 },
          { above: 100, price: 2_000_000 },
        ],
      },
      output: 0,
    };

    expect(costAt(prices, usage({ inputTokens: 100 }))).toBe(100_000_000n); // 100 x $1/MTok
    expect(costAt(prices, usage({ inputTokens: 150 }))).toBe(300_000_000n); // 150 x $2/MTok
    expect(costAt(prices, usage({ inputTokens: 250 }))).toBe(750_000_000n); // 250 x $3/MTok
  });

  it('bills unlisted 1-hour cache writes at twice the input price of the tier reached', () => {
    const prices: TokenPrices = {
      input: { base: 1_000_000, tiers: [{ above: 100, price: 2_000_000 }] },
      output: 0,
    };
    const writes = usage({
      cacheWriteTokens: 150,
      cacheWrite5mTokens: 50,
      cacheWrite1hTokens: 100,
    });

    // 150 input tokens pass the tier: 50 x $2/MTok + 100 x $4/MTok
    expect(costAt(prices, writes)).toBe(500_000_000n);
  });
});

describe('assertTokenCounts', () => {
  it.each([
    ['inputTokens', -1],
    ['outputTokens', 1.5],
    ['cacheReadTokens', 2 ** 53],
    ['cacheWrite1hTokens', -3],
  ] as const)('refuses %s = %d with its name and value', (field, value) => {
    expect(() => assertTokenCounts(usage({ [field]: value }))).toThrow(
      new RangeError(`${field} must be a non-negative safe integer, got ${value}`),
    );
  });

  it('accepts whole counts up to 2^53 - 1', () => {
    expect(() =>
      assertTokenCounts(usage({ inputTokens: 2 ** 53 - 1, cacheWrite5mTokens: 0 })),
    ).not.toThrow();
  });
});
