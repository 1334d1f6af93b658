import { describe, expect, it } from 'vitest';
import type { BudgetDto } from '#contracts/budgets-api.ts';
import {
  type BudgetDraft,
  barShares,
  checkCreate,
  checkUpdate,
  draftFromBudget,
  emptyDraft,
  resetText,
  withBudget,
} from '../../../frontend/src/lib/budgets.ts';
import { scopeText } from '../../../frontend/src/lib/scopes.ts';

const BUDGET: BudgetDto = {
  id: 'bud_0000000a',
  name: 'Search',
  limit: 50,
  currency: 'EUR',
  period: 'month',
  scope: { kind: 'tag', key: 'feature', value: 'search' },
  action: 'block',
  unpriced: 'block',
  paused: false,
  createdAt: '2026-12-01T00:00:00.000Z',
  current: {
    period: '2026-12',
    startsAt: '2026-12-01T00:00:00.000Z',
    resetsAt: '2027-01-01T00:00:00.000Z',
    spent: '20.000000',
    reserved: '10.000000',
    percentUsed: 40,
    blocked: 3,
  },
  fx: { rate: '0.92', rateDate: '2026-12-05' },
};

function draft(changes: Partial<BudgetDraft>): BudgetDraft {
  return { ...emptyDraft(), name: 'Budget', limit: '50', ...changes };
}

describe('checkCreate', () => {
  it('builds the body the API accepts, splitting a tag at its first colon', () => {
    expect(
      checkCreate(draft({ scopeKind: 'tag', scopeValue: ' feature:search:v2 ', limit: '12.5' })),
    ).toEqual({
      ok: true,
      body: {
        name: 'Budget',
        limit: 12.5,
        period: 'month',
        scope: { kind: 'tag', key: 'feature', value: 'search:v2' },
        action: 'block',
        unpriced: 'block',
        paused: false,
      },
    });
  });

  it("answers the API's own messages per field", () => {
    const checked = checkCreate(draft({ name: ' ', limit: '1,5' }));

    expect(checked).toEqual({
      ok: false,
      errors: {
        name: 'A budget needs a name.',
        // A decimal comma is not a number the API reads: the message shows the form it takes.
        limit: 'limit is a number: money in your account currency, e.g. 50 or 12.5.',
      },
    });
    expect(checkCreate(draft({ limit: '0' }))).toMatchObject({
      ok: false,
      errors: { limit: expect.stringMatching(/^limit is above 0/) },
    });
  });
});

describe('the Edit form', () => {
  it('round-trips a budget through its draft', () => {
    expect(checkUpdate(draftFromBudget(BUDGET))).toEqual({
      ok: true,
      body: {
        name: 'Search',
        limit: 50,
        period: 'month',
        scope: BUDGET.scope,
        action: 'block',
        unpriced: 'block',
      },
    });
  });
});

describe('what a budget card shows', () => {
  it('puts spent and reserved side by side on the bar, never past the end', () => {
    expect(barShares(BUDGET)).toEqual({ spent: 0.4, reserved: 0.2 });
    const over = { ...BUDGET, current: { ...BUDGET.current, percentUsed: 95, reserved: '30' } };
    expect(barShares(over).reserved).toBeCloseTo(0.05, 10);
  });

  it('names the scope and the reset in UTC', () => {
    expect(scopeText(BUDGET.scope)).toBe('Tag feature:search');
    expect(scopeText({ kind: 'provider', provider: 'anthropic' })).toBe('Provider Anthropic');
    expect(resetText(BUDGET.current.resetsAt)).toBe('2027-01-01 00:00 UTC');
  });

  it('replaces a saved budget in place and appends a new one', () => {
    const renamed = { ...BUDGET, name: 'Search v2' };
    const added = { ...BUDGET, id: 'bud_0000000b' };
    expect(withBudget([BUDGET], renamed)).toEqual([renamed]);
    expect(withBudget([BUDGET], added)).toEqual([BUDGET, added]);
  });
});
