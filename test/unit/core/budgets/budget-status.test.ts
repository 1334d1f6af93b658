// A budget's figures for its current period from the ledger: only the reservations that charge
// this budget's period count as reserved; a budget without a limit is 0% used.
import { describe, expect, it } from 'vitest';
import { budgetStatus, percentUsed } from '#core/budgets/budget-status.ts';
import { testBudget, USD } from '../../../fixtures/budget.ts';

const NOW = Date.parse('2026-12-10T12:00:00.000Z');

describe('budgetStatus', () => {
  it('counts as reserved only the reservations that charge this budget this period', () => {
    const budget = testBudget('acct-a', 1000, { budgetId: 'bud_0000000a' });
    const reservation = (requestId: string, picoUsd: bigint, charges: string[][]) => ({
      requestId,
      reservedAtMs: NOW,
      reservedPicoUsd: picoUsd,
      charges: charges.map(([budgetId = '', period = '']) => ({ budgetId, period })),
    });

    const status = budgetStatus(
      budget,
      {
        committed: new Map([['bud_0000000a@2026-12', 7n * USD]]),
        blocked: new Map([['bud_0000000a@2026-12', 2]]),
        reservations: [
          reservation('req-both', 2n * USD, [
            ['bud_0000000b', '2026-12'],
            ['bud_0000000a', '2026-12'],
          ]),
          reservation('req-other', 3n * USD, [['bud_0000000b', '2026-12']]),
          reservation('req-last-month', 4n * USD, [['bud_0000000a', '2026-11']]),
        ],
        released: new Map(),
      },
      NOW,
    );

    expect(status).toEqual({
      period: '2026-12',
      startsAtMs: Date.parse('2026-12-01T00:00:00.000Z'),
      resetsAtMs: Date.parse('2027-01-01T00:00:00.000Z'),
      spentPicoUsd: 5n * USD,
      reservedPicoUsd: 2n * USD,
      blocked: 2,
    });
  });
});

describe('percentUsed', () => {
  it('rounds down to one decimal, and is 0 for a budget without a limit', () => {
    const budget = testBudget('acct-a', 300);

    expect(percentUsed(budget, 2n * USD)).toBe(66.6);
    expect(percentUsed(testBudget('acct-a', 0), USD)).toBe(0);
  });
});
