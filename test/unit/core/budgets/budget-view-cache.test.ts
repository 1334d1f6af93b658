// The proxy's per-key memory of the budgets it last saw: only keys with active budgets, bounded,
// the oldest remembered forgotten first.
import { describe, expect, it } from 'vitest';
import type { BudgetView } from '#core/budgets/budget.ts';
import { BudgetViewCache } from '#core/budgets/budget-view-cache.ts';

const view = (viewVersion: number): BudgetView => ({
  viewVersion,
  budgets: [
    {
      budgetId: 'bud_00000001',
      scope: { kind: 'account' },
      period: 'month',
      action: 'block',
      unpriced: 'block',
      limitPicoUsd: 1n,
    },
  ],
});

describe('BudgetViewCache', () => {
  it('forgets a key whose account has no active budgets any more', () => {
    const cache = new BudgetViewCache();
    cache.remember('key-a', view(1));
    cache.remember('key-b', view(1));

    cache.remember('key-a', { viewVersion: 2, budgets: [] });
    cache.remember('key-b', undefined);

    expect(cache.get('key-a')).toBeUndefined();
    expect(cache.get('key-b')).toBeUndefined();
  });

  it('forgets the least recently remembered key beyond its size', () => {
    const cache = new BudgetViewCache(2);
    cache.remember('key-a', view(1));
    cache.remember('key-b', view(1));
    cache.remember('key-a', view(2));

    cache.remember('key-c', view(1));

    expect(cache.get('key-a')).toEqual(view(2));
    expect(cache.get('key-b')).toBeUndefined();
    expect(cache.get('key-c')).toEqual(view(1));
  });
});
