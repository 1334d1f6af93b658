import { describe, expect, it, vi } from 'vitest';
import type { BudgetView, EnforcedBudget } from '#core/budgets/budget.ts';
import { type MaxCost, planBudgets, reservationOf } from '#core/budgets/reservation.ts';

const NOW_MS = Date.parse('2026-12-05T10:00:00Z');
const DOLLAR = 1_000_000_000_000n;

function budget(overrides: Partial<EnforcedBudget> = {}): EnforcedBudget {
  return {
    budgetId: 'bud_00000001',
    scope: { kind: 'account' },
    period: 'month',
    action: 'block',
    unpriced: 'block',
    limitPicoUsd: 50n * DOLLAR,
    ...overrides,
  };
}

const view = (...budgets: EnforcedBudget[]): BudgetView => ({ viewVersion: 7, budgets });
const request = {
  provider: 'openai' as const,
  model: 'gpt-4o-mini',
  requester: 'alice',
  tags: { feature: 'search' },
};
const bounded =
  (picoUsd: bigint): (() => MaxCost) =>
  () => ({ kind: 'bounded', picoUsd });

describe('planBudgets', () => {
  it('plans nothing without budgets and never works out the maximum cost', () => {
    const maxCost = vi.fn(bounded(1n));
    expect(planBudgets(undefined, request, maxCost, NOW_MS)).toEqual({ kind: 'none' });
    expect(
      planBudgets(
        view(budget({ scope: { kind: 'model', model: 'gpt-4o' } })),
        request,
        maxCost,
        NOW_MS,
      ),
    ).toEqual({ kind: 'none' });
    expect(maxCost).not.toHaveBeenCalled();
  });

  it('checks a block budget against its limit minus the maximum cost, in its current period', () => {
    const plan = planBudgets(
      view(budget(), budget({ budgetId: 'bud_00000002', period: 'day', action: 'notify' })),
      request,
      bounded(3n * DOLLAR),
      NOW_MS,
    );
    expect(plan).toEqual({
      kind: 'reserve',
      reservedPicoUsd: 3n * DOLLAR,
      charges: [
        { budgetId: 'bud_00000001', period: '2026-12', ceilingPicoUsd: 47n * DOLLAR },
        { budgetId: 'bud_00000002', period: '2026-12-05' },
      ],
    });
    expect(reservationOf(plan)).toEqual({
      reservedPicoUsd: 3n * DOLLAR,
      charges: [
        { budgetId: 'bud_00000001', period: '2026-12' },
        { budgetId: 'bud_00000002', period: '2026-12-05' },
      ],
    });
  });

  it('matches each scope kind on the request: tag, requester, provider, model', () => {
    const scopes = [
      { kind: 'tag', key: 'feature', value: 'search' },
      { kind: 'requester', requester: 'alice' },
      { kind: 'provider', provider: 'openai' },
      { kind: 'model', model: 'gpt-4o-mini' },
    ] as const;
    for (const scope of scopes) {
      expect(planBudgets(view(budget({ scope })), request, bounded(1n), NOW_MS).kind).toBe(
        'reserve',
      );
    }
    const other = { ...request, tags: { feature: 'chat' }, requester: 'bob' };
    expect(planBudgets(view(budget({ scope: scopes[0] })), other, bounded(1n), NOW_MS).kind).toBe(
      'none',
    );
    expect(planBudgets(view(budget({ scope: scopes[1] })), other, bounded(1n), NOW_MS).kind).toBe(
      'none',
    );
  });

  it('refuses an unpriced model with a block budget that blocks what it cannot bound', () => {
    const plan = planBudgets(view(budget()), request, () => ({ kind: 'unpriced' }), NOW_MS);
    expect(plan).toMatchObject({ kind: 'refuse', reason: 'unpriced', period: '2026-12' });
  });

  it('lets an unpriced model through budgets that allow it, reserving nothing', () => {
    const plan = planBudgets(
      view(budget({ unpriced: 'allow' }), budget({ budgetId: 'bud_00000002', action: 'notify' })),
      request,
      () => ({ kind: 'unpriced' }),
      NOW_MS,
    );
    expect(plan).toEqual({ kind: 'none' });
  });

  it('never lets an unpriced model be refused by a budget that does not match it', () => {
    const plan = planBudgets(
      view(budget({ scope: { kind: 'provider', provider: 'anthropic' } })),
      request,
      () => ({ kind: 'unpriced' }),
      NOW_MS,
    );
    expect(plan).toEqual({ kind: 'none' });
  });

  it('reserves the part it can bound, unchecked, when a budget allows what it cannot bound', () => {
    const unbounded: MaxCost = { kind: 'unbounded', partialPicoUsd: 2n * DOLLAR, reason: 'x' };
    expect(
      planBudgets(view(budget({ unpriced: 'allow' })), request, () => unbounded, NOW_MS),
    ).toEqual({
      kind: 'reserve',
      reservedPicoUsd: 2n * DOLLAR,
      charges: [{ budgetId: 'bud_00000001', period: '2026-12' }],
    });
    expect(planBudgets(view(budget()), request, () => unbounded, NOW_MS)).toMatchObject({
      kind: 'refuse',
      reason: 'unbounded',
    });
  });

  it('sets a ceiling below 0 when the request alone exceeds the limit', () => {
    const plan = planBudgets(view(budget()), request, bounded(51n * DOLLAR), NOW_MS);
    expect(plan).toMatchObject({ charges: [{ ceilingPicoUsd: -1n * DOLLAR }] });
  });
});
