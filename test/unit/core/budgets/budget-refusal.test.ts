// What a 402 from a budget tells the caller, word for word: the budget, its figures in its own
// currency, what the request could cost and when it resets; or why its cost cannot be bounded.
// EUR figures at a quote of 1.25 USD per EUR (EUR 0.80 per USD).
import { describe, expect, it } from 'vitest';
import type { Budget } from '#core/budgets/budget.ts';
import { budgetExceededError, unboundedCostError } from '#core/budgets/budget-refusal.ts';
import { BudgetExceededError } from '#core/errors.ts';
import { testBudget, USD } from '../../../fixtures/budget.ts';

const QUOTE = { date: '2026-12-09', usdPerEur: '1.25', chfPerEur: '0.95', source: 'ecb' } as const;

/** EUR 50.00 a month on tag feature:search, converted at 1.25 USD per EUR (USD 62.50). */
function searchBudget(overrides: Partial<Budget> = {}): Budget {
  return testBudget('acct-a', 5000, {
    budgetId: 'bud_0000abcd',
    name: 'Search',
    currency: 'EUR',
    scope: { kind: 'tag', key: 'feature', value: 'search' },
    conversion: { limitPicoUsd: 62_500_000_000_000n, fx: QUOTE },
    ...overrides,
  });
}

describe('budgetExceededError', () => {
  it('names the budget, its spent, reserved and limit, the request maximum and the reset', () => {
    // $60 committed of which $2.50 in flight: EUR 46.00 spent, EUR 2.00 reserved
    const error = budgetExceededError(
      searchBudget(),
      {
        budgetId: 'bud_0000abcd',
        period: '2026-12',
        committedPicoUsd: 60n * USD,
        reservedPicoUsd: (5n * USD) / 2n,
      },
      12_345_678n,
    );

    expect(error).toBeInstanceOf(BudgetExceededError);
    expect(error).toMatchObject({ budgetId: 'bud_0000abcd', budgetName: 'Search' });
    expect(error.message).toBe(
      'Budget "Search" (tag feature:search, EUR 50.00 per month) has no room for this request: spent EUR 46.00 and EUR 2.00 reserved by requests in flight, of a limit of EUR 50.00; this request could cost up to EUR 0.000010. It resets at 2027-01-01 00:00 UTC. Raise its limit or pause it on Budgets (/budgets), or send a smaller request (a lower max_tokens reserves less).',
    );
  });

  it('names a budget deleted since the refusal by its id', () => {
    const figures = { budgetId: 'bud_gone0001', period: '2026-12-10' };

    const error = budgetExceededError(
      undefined,
      { ...figures, committedPicoUsd: 0n, reservedPicoUsd: 0n },
      0n,
    );

    expect(error).toMatchObject({ budgetId: 'bud_gone0001', budgetName: 'bud_gone0001' });
    expect(error.message).toBe(
      'Budget bud_gone0001 refused this request; it has since been deleted, so retrying may succeed.',
    );
  });
});

describe('unboundedCostError', () => {
  const request = { provider: 'anthropic', model: 'claude-x-unknown' } as const;

  it('says which model has no price and how to let it through', () => {
    const error = unboundedCostError(searchBudget(), 'bud_0000abcd', request, { kind: 'unpriced' });

    expect(error.message).toBe(
      'Budget "Search" (tag feature:search, EUR 50.00 per month) blocks requests whose cost it cannot bound, and Metrion has no price for Anthropic model "claude-x-unknown". To let such requests through, set "Unpriced models" to Allow for this budget on Budgets (/budgets) (or change its scope so it does not match them).',
    );
  });

  it('gives the reason a priced request cannot be bounded', () => {
    const error = unboundedCostError(searchBudget(), 'bud_0000abcd', request, {
      kind: 'unbounded',
      partialPicoUsd: 1n,
      reason: 'the request sets no max_tokens',
    });

    expect(error.message).toContain(
      'blocks requests whose cost it cannot bound, and the request sets no max_tokens. To let',
    );
  });

  it('names a deleted budget by its id', () => {
    const error = unboundedCostError(undefined, 'bud_gone0002', request, { kind: 'unpriced' });

    expect(error).toMatchObject({ budgetId: 'bud_gone0002', budgetName: 'bud_gone0002' });
  });
});
