// The Budgets API use cases over in-memory budgets: what a budget shows in the account's
// currency, the plan's allowance, and the refusals. Money is hand-counted at 1.25 USD per EUR
// (EUR 0.80 per USD); $1 = 10^12 pico-USD.
import { describe, expect, it } from 'vitest';
import { createBudgetsService, type NewBudget } from '#core/budgets/budgets-service.ts';
import type { FxQuote } from '#core/currency/fx.ts';
import { BudgetLimitError, NotFoundError } from '#core/errors.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';
import { FixedRandom } from '../../../fakes/fixed-random.ts';
import { InMemoryAccountStore } from '../../../fakes/in-memory-account-store.ts';
import { InMemoryBudgets } from '../../../fakes/in-memory-budgets.ts';
import { testAccount, UNOPENED_SEALED_SECRET } from '../../../fixtures/account.ts';
import { USD } from '../../../fixtures/budget.ts';

const NOW = Date.parse('2026-12-10T12:00:00.000Z');
const QUOTE: FxQuote = { date: '2026-12-09', usdPerEur: '1.25', chfPerEur: '0.95', source: 'ecb' };
const MONTHLY: NewBudget = {
  name: 'Search',
  limit: 50,
  period: 'month',
  scope: { kind: 'account' },
  action: 'block',
  unpriced: 'allow',
  paused: false,
};

async function setup(plan: 'free' | 'pro' = 'pro', currency: 'USD' | 'EUR' = 'EUR') {
  const budgets = new InMemoryBudgets();
  const accounts = new InMemoryAccountStore();
  await accounts.createAccount(testAccount('acct-a', { plan, currency }), {
    digest: 'digest-acct-a',
    sealed: UNOPENED_SEALED_SECRET,
  });
  const service = createBudgetsService({
    budgets,
    ledger: budgets,
    accounts,
    fxRates: { latest: async () => QUOTE, put: async () => undefined },
    clock: new FakeClock({ startMs: NOW }),
    random: new FixedRandom({ queue: [Uint8Array.from([0xde, 0xad, 0x0b, 0xef])], seed: 1 }),
  });
  return { budgets, accounts, service };
}

const refusal = (promise: Promise<unknown>) => promise.catch((caught: unknown) => caught);

describe('createBudgetsService: create and list', () => {
  it('creates a budget in the account currency, converted at the latest rate', async () => {
    const { budgets, service } = await setup();

    const created = await service.create('acct-a', { ...MONTHLY, limit: 19.99 });

    expect(created).toEqual({
      id: 'bud_dead0bef',
      name: 'Search',
      limit: 19.99,
      currency: 'EUR',
      period: 'month',
      scope: { kind: 'account' },
      action: 'block',
      unpriced: 'allow',
      paused: false,
      createdAt: '2026-12-10T12:00:00.000Z',
      current: {
        period: '2026-12',
        startsAt: '2026-12-01T00:00:00.000Z',
        resetsAt: '2027-01-01T00:00:00.000Z',
        spent: '0.000000',
        reserved: '0.000000',
        percentUsed: 0,
        blocked: 0,
      },
      fx: { rate: '0.80000000', rateDate: '2026-12-09' },
    });
    // EUR 19.99 at 1.25 USD per EUR is USD 24.9875
    expect(await budgets.get('acct-a', 'bud_dead0bef')).toMatchObject({
      limitCents: 1999,
      currency: 'EUR',
      conversion: { limitPicoUsd: 24_987_500_000_000n, fx: QUOTE },
      version: 1,
      notified: {},
    });
  });

  it("lists this period's spent, reserved and refused figures in the budget's currency", async () => {
    // Arrange: EUR 50 (USD 62.50); $5 settled, $1 still reserved, one refusal
    const { budgets, service } = await setup();
    await service.create('acct-a', MONTHLY);
    const charges = [{ budgetId: 'bud_dead0bef', period: '2026-12', ceilingPicoUsd: 100n * USD }];
    for (const [requestId, picoUsd] of [
      ['req-1', 5n * USD],
      ['req-2', USD],
    ] as const) {
      budgets.reserve('acct-a', {
        kind: 'reserve',
        viewVersion: undefined,
        requestId,
        reservedPicoUsd: picoUsd,
        charges,
        reservedAtMs: NOW,
      });
    }
    await budgets.settle('acct-a', 'req-1', { reservedPicoUsd: 5n * USD, charges }, 5n * USD);
    budgets.block('acct-a', { budgetId: 'bud_dead0bef', period: '2026-12' });

    // Act
    const listed = await service.list('acct-a');

    // Assert: EUR 4.00 spent is 8.0% of EUR 50
    expect(listed.budgets.map((budget) => budget.current)).toEqual([
      {
        period: '2026-12',
        startsAt: '2026-12-01T00:00:00.000Z',
        resetsAt: '2027-01-01T00:00:00.000Z',
        spent: '4.000000',
        reserved: '0.800000',
        percentUsed: 8,
        blocked: 1,
      },
    ]);
    expect(listed).toMatchObject({
      allowance: { plan: 'pro', maxBudgets: 20, scopedBudgets: true },
      currency: 'EUR',
      warningPercent: 90,
    });
  });

  it("shows the Free plan's allowance", async () => {
    const { service } = await setup('free', 'USD');

    const listed = await service.list('acct-a');

    expect(listed).toEqual({
      budgets: [],
      allowance: { plan: 'free', maxBudgets: 1, scopedBudgets: false },
      currency: 'USD',
      warningPercent: 90,
    });
  });
});

describe('createBudgetsService: refusals', () => {
  it('refuses a second budget and any scoped budget on Free', async () => {
    const { service } = await setup('free', 'USD');
    await service.create('acct-a', MONTHLY);

    const second = await refusal(service.create('acct-a', { ...MONTHLY, name: 'Two' }));
    const scoped = await refusal(
      service.create('acct-a', { ...MONTHLY, scope: { kind: 'provider', provider: 'openai' } }),
    );

    expect(second).toBeInstanceOf(BudgetLimitError);
    expect((second as Error).message).toBe(
      'The Free plan includes one budget. Edit or delete it, or upgrade under Settings > Plan (/settings/billing) for up to 20.',
    );
    expect(scoped).toBeInstanceOf(BudgetLimitError);
    expect((scoped as Error).message).toContain('Budgets for a provider, model, requester or tag');
    expect((await service.list('acct-a')).budgets.map((budget) => budget.name)).toEqual(['Search']);
  });

  it('refuses the 21st budget on Pro, and allows scoped ones', async () => {
    const { service } = await setup('pro', 'USD');
    for (let index = 0; index < 20; index += 1) {
      await service.create('acct-a', {
        ...MONTHLY,
        name: `B${index}`,
        scope: { kind: 'model', model: 'gpt-4o' },
      });
    }

    const error = await refusal(service.create('acct-a', MONTHLY));

    expect(error).toBeInstanceOf(BudgetLimitError);
    expect((error as Error).message).toBe(
      'An account has at most 20 budgets. Delete one to create another.',
    );
  });

  it('answers not_found for an unknown account and for a budget of no one', async () => {
    const { service } = await setup();
    const longId = `bud_${'x'.repeat(100)}`;

    const noAccount = await refusal(service.list('acct-gone'));
    const noBudget = await refusal(service.update('acct-a', longId, { name: 'New' }));
    const noRemove = await refusal(service.remove('acct-a', 'bud_none'));

    expect(noAccount).toBeInstanceOf(NotFoundError);
    expect((noAccount as Error).message).toBe('Sign in again: the account was not found.');
    expect((noBudget as Error).message).toBe(`No budget ${longId.slice(0, 60)}.`);
    expect(noRemove).toBeInstanceOf(NotFoundError);
    expect((noRemove as Error).message).toBe('No budget bud_none.');
  });
});

describe('createBudgetsService: update and remove', () => {
  it('changes only the given fields, and converts a new limit at the latest rate', async () => {
    const { budgets, service } = await setup();
    await service.create('acct-a', MONTHLY);

    const renamed = await service.update('acct-a', 'bud_dead0bef', {
      name: 'Renamed',
      paused: undefined,
    });
    const raised = await service.update('acct-a', 'bud_dead0bef', { limit: 80 });

    expect(renamed).toMatchObject({ name: 'Renamed', limit: 50, paused: false });
    expect(raised).toMatchObject({ name: 'Renamed', limit: 80, currency: 'EUR' });
    // EUR 80 at 1.25 USD per EUR is USD 100
    expect(await budgets.get('acct-a', 'bud_dead0bef')).toMatchObject({
      limitCents: 8000,
      conversion: { limitPicoUsd: 100n * USD },
      version: 3,
    });
  });

  it('refuses to scope a budget on Free', async () => {
    const { service } = await setup('free', 'USD');
    await service.create('acct-a', MONTHLY);

    const error = await refusal(
      service.update('acct-a', 'bud_dead0bef', { scope: { kind: 'tag', key: 'team', value: 'a' } }),
    );

    expect(error).toBeInstanceOf(BudgetLimitError);
    expect((await service.list('acct-a')).budgets[0]?.scope).toEqual({ kind: 'account' });
  });

  it('answers not_found for a budget deleted while it was being changed', async () => {
    const { budgets, service } = await setup();
    const longId = `bud_${'y'.repeat(100)}`;
    await service.create('acct-a', MONTHLY);
    // Read before the delete, written after it
    budgets.get = async (accountId) => (await budgets.list(accountId))[0];
    budgets.update = async () => undefined;

    const error = await refusal(service.update('acct-a', longId, { name: 'New' }));
    const gone = await refusal(service.remove('acct-a', longId));

    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toBe(`No budget ${longId.slice(0, 60)}.`);
    expect((gone as Error).message).toBe(`No budget ${longId.slice(0, 60)}.`);
  });

  it('removes a budget once', async () => {
    const { service } = await setup();
    await service.create('acct-a', MONTHLY);

    const removed = await service.remove('acct-a', 'bud_dead0bef');

    expect(removed).toEqual({ id: 'bud_dead0bef' });
    expect((await service.list('acct-a')).budgets).toEqual([]);
    await expect(service.remove('acct-a', 'bud_dead0bef')).rejects.toBeInstanceOf(NotFoundError);
  });
});
