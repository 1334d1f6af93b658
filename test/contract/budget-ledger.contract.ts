import { randomBytes, randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { StoredMetrionKey } from '#core/accounts/account.ts';
import { PLAN_LIMITS } from '#core/billing/plans.ts';
import type { Budget, BudgetView } from '#core/budgets/budget.ts';
import {
  admissionRequest,
  minuteCounter,
  monthCounter,
  type PlanLimitTable,
} from '#core/limits/request-limits.ts';
import type { AccountStore } from '#core/ports/account-store.ts';
import type { BudgetLedger } from '#core/ports/budget-ledger.ts';
import type { BudgetStore } from '#core/ports/budget-store.ts';
import type { MetrionKeyStore } from '#core/ports/metrion-key-store.ts';
import type { Admission, BudgetAdmission, ProxyAdmission } from '#core/ports/proxy-admission.ts';
import { testAccount, UNOPENED_SEALED_SECRET } from '../fixtures/account.ts';
import { testBudget, USD } from '../fixtures/budget.ts';

/**
 * The stores a budget lives in: the account store, the Metrion Key store (a regeneration carries
 * the ledger), the admission, the budget items, the ledger.
 */
export interface BudgetLedgerFixture {
  readonly store: AccountStore;
  readonly metrionKeys: MetrionKeyStore;
  readonly admission: ProxyAdmission;
  readonly budgets: BudgetStore;
  readonly ledger: BudgetLedger;
}

const NOW_MS = Date.parse('2026-12-05T10:00:00.000Z');
const PERIOD = '2026-12';
/** No window ever fills: 150 concurrent requests test the budget, not the rate limit. */
const ROOMY: PlanLimitTable = {
  free: { ...PLAN_LIMITS.free, requestsPerMinutePerKey: 10_000, monthlyRequests: 10_000 },
  pro: { ...PLAN_LIMITS.pro, requestsPerMinutePerKey: 10_000 },
};
/** The maximum cost every request here reserves: $0.01. */
const MAX_COST = USD / 100n;

const newKey = (): StoredMetrionKey => ({
  digest: randomBytes(32).toString('hex'),
  sealed: UNOPENED_SEALED_SECRET,
});

/**
 * The BudgetLedger contract, with the admission that reserves on it: every implementation (the
 * in-memory fakes, the DynamoDB adapters on dynalite) must pass it. Fresh accounts per test.
 */
export function budgetLedgerContract(
  createStores: () => BudgetLedgerFixture | Promise<BudgetLedgerFixture>,
): void {
  let stores: BudgetLedgerFixture;
  let accountId: string;
  let key: StoredMetrionKey;

  beforeEach(async () => {
    stores = await createStores();
    accountId = randomUUID();
    key = newKey();
    await stores.store.createAccount(testAccount(accountId), key);
  });

  const admit = (budget: BudgetAdmission, digest = key.digest): Promise<Admission> =>
    stores.admission.admit({
      ...admissionRequest({ keyDigest: digest, provider: 'openai' }, NOW_MS, {}, ROOMY),
      budget,
    });

  /** The view an admission planned for "no budgets" is answered with. */
  async function currentView(): Promise<BudgetView | undefined> {
    const answer = await admit({
      kind: 'reserve',
      viewVersion: undefined,
      requestId: `probe-${randomUUID()}`,
      reservedPicoUsd: 0n,
      charges: [],
      reservedAtMs: NOW_MS,
    });
    if (answer.outcome === 'budgets-changed') return answer.budgets;
    if (answer.outcome === 'admitted') return answer.budgets;
    throw new Error(`unexpected ${answer.outcome}`);
  }

  async function budgetWith(limitPicoUsd: bigint): Promise<{ budget: Budget; view: BudgetView }> {
    const budget = testBudget(accountId, 0, {
      conversion: { ...testBudget(accountId, 0).conversion, limitPicoUsd },
    });
    expect(await stores.budgets.create(budget, 20)).toBe(true);
    const view = await currentView();
    if (view === undefined) throw new Error('the view holds no budget');
    return { budget, view };
  }

  const reserve = (
    budget: Budget,
    view: BudgetView,
    requestId: string = randomUUID(),
  ): BudgetAdmission => ({
    kind: 'reserve',
    viewVersion: view.viewVersion,
    requestId,
    reservedPicoUsd: MAX_COST,
    charges: [
      {
        budgetId: budget.budgetId,
        period: PERIOD,
        ceilingPicoUsd: budget.conversion.limitPicoUsd - MAX_COST,
      },
    ],
    reservedAtMs: NOW_MS,
  });
  const chargeKeyOf = (budget: Budget) => `${budget.budgetId}@${PERIOD}`;

  describe('admission', () => {
    it('shows the active budgets to an admission planned without them, counting nothing', async () => {
      const { budget, view } = await budgetWith(USD);
      expect(view.budgets).toEqual([
        {
          budgetId: budget.budgetId,
          scope: { kind: 'account' },
          period: 'month',
          action: 'block',
          unpriced: 'block',
          limitPicoUsd: USD,
        },
      ]);
      expect((await stores.ledger.state(accountId)).reservations).toEqual([]);
    });

    it('stops enforcing a paused budget, and enforces it again on resume', async () => {
      const { budget } = await budgetWith(USD);

      await stores.budgets.update(accountId, budget.budgetId, { paused: true });
      const whilePaused = await currentView();
      await stores.budgets.update(accountId, budget.budgetId, { paused: false });

      expect(whilePaused).toBeUndefined();
      expect((await currentView())?.budgets.map((viewed) => viewed.budgetId)).toEqual([
        budget.budgetId,
      ]);
    });

    it('admits exactly N of 150 concurrent requests against room for exactly N', async () => {
      // Arrange: room for 37 reservations of $0.01, not 38
      const { budget, view } = await budgetWith(37n * MAX_COST + MAX_COST - 1n);

      // Act
      const answers = await Promise.all(
        Array.from({ length: 150 }, () => admit(reserve(budget, view))),
      );

      // Assert
      const admitted = answers.filter((answer) => answer.outcome === 'admitted');
      const refused = answers.filter((answer) => answer.outcome === 'budget-refused');
      expect(admitted).toHaveLength(37);
      expect(refused).toHaveLength(113);
      const ledger = await stores.ledger.state(accountId);
      expect(ledger.committed.get(chargeKeyOf(budget))).toBe(37n * MAX_COST);
      expect(ledger.blocked.get(chargeKeyOf(budget))).toBe(113);
      expect(ledger.reservations).toHaveLength(37);
    });

    it('answers a refusal with the figures it found', async () => {
      const { budget, view } = await budgetWith(MAX_COST + MAX_COST / 2n);
      expect((await admit(reserve(budget, view))).outcome).toBe('admitted');

      const refusal = await admit(reserve(budget, view));

      expect(refusal).toMatchObject({
        outcome: 'budget-refused',
        caller: { account: { accountId } },
        figures: {
          budgetId: budget.budgetId,
          period: PERIOD,
          committedPicoUsd: MAX_COST,
          reservedPicoUsd: MAX_COST,
        },
      });
    });

    it('fails closed when planned from an older view, and shows the current one', async () => {
      const { budget, view } = await budgetWith(USD);
      await stores.budgets.update(accountId, budget.budgetId, { name: 'Renamed', limitCents: 1 });

      const answer = await admit(reserve(budget, view));

      expect(answer.outcome).toBe('budgets-changed');
      expect((await stores.ledger.state(accountId)).reservations).toEqual([]);
    });

    it('fails closed for a side call planned from an older view too', async () => {
      const { budget, view } = await budgetWith(USD);
      await stores.budgets.update(accountId, budget.budgetId, { limitCents: 1 });

      const answer = await stores.admission.admit({
        ...admissionRequest(
          { keyDigest: key.digest, provider: 'openai' },
          NOW_MS,
          { monthly: false },
          ROOMY,
        ),
        budget: reserve(budget, view),
      });

      expect(answer.outcome).toBe('budgets-changed');
    });

    it('shows the new budgets to a refusal planned from an older view, whatever the month', async () => {
      // Arrange: the month is used up; then the budget changes
      const oneAMonth = { ...ROOMY, free: { ...ROOMY.free, monthlyRequests: 1 } };
      const admitWithin = (budget: BudgetAdmission) =>
        stores.admission.admit({
          ...admissionRequest({ keyDigest: key.digest, provider: 'openai' }, NOW_MS, {}, oneAMonth),
          budget,
        });
      const { budget, view } = await budgetWith(USD);
      expect((await admitWithin(reserve(budget, view))).outcome).toBe('admitted');
      await stores.budgets.update(accountId, budget.budgetId, { limitCents: 1 });

      // Act: a budget refusal never counts on the month, so the month does not answer it
      const answer = await admitWithin({
        kind: 'refuse',
        viewVersion: view.viewVersion,
        budgetId: budget.budgetId,
        period: PERIOD,
      });

      expect(answer.outcome).toBe('budgets-changed');
    });

    it('tallies a refusal planned by the proxy itself, counting nothing else', async () => {
      const { budget, view } = await budgetWith(USD);

      const answer = await admit({
        kind: 'refuse',
        viewVersion: view.viewVersion,
        budgetId: budget.budgetId,
        period: PERIOD,
      });

      expect(answer).toMatchObject({
        outcome: 'budget-refused',
        figures: { committedPicoUsd: 0n, reservedPicoUsd: 0n },
      });
      expect((await stores.ledger.state(accountId)).blocked.get(chargeKeyOf(budget))).toBe(1);
      expect(await stores.admission.windowCount(key.digest, minuteCounter(NOW_MS))).toEqual({
        count: 1,
        refused: 0,
      });
      expect((await stores.admission.windowCount(key.digest, monthCounter(NOW_MS))).count).toBe(0);
    });
  });

  describe('settle', () => {
    it('replaces each reservation by its actual cost, exactly once under redelivery', async () => {
      // Arrange: 20 admitted requests
      const { budget, view } = await budgetWith(USD);
      const requestIds = Array.from({ length: 20 }, () => randomUUID());
      for (const requestId of requestIds) await admit(reserve(budget, view, requestId));
      const reservation = {
        reservedPicoUsd: MAX_COST,
        charges: [{ budgetId: budget.budgetId, period: PERIOD }],
      };
      const actual = (index: number) => BigInt(1_000_003 * (index + 1));

      // Act: every settle twice, concurrently
      const outcomes = await Promise.all(
        [...requestIds, ...requestIds].map((requestId, index) =>
          stores.ledger.settle(accountId, requestId, reservation, actual(index % 20)),
        ),
      );

      // Assert: spent is the sum of the actual costs to the pico-dollar
      expect(outcomes.filter((outcome) => outcome === 'settled')).toHaveLength(20);
      expect(outcomes.filter((outcome) => outcome === 'already-settled')).toHaveLength(20);
      const ledger = await stores.ledger.state(accountId);
      expect(ledger.reservations).toEqual([]);
      expect(ledger.committed.get(chargeKeyOf(budget))).toBe(210n * 1_000_003n);
    });

    it('adds the cost of a record that arrives after its reservation was released, once', async () => {
      const { budget, view } = await budgetWith(USD);
      const requestId = randomUUID();
      await admit(reserve(budget, view, requestId));
      const [open] = (await stores.ledger.state(accountId)).reservations;
      if (open === undefined) throw new Error('no reservation');

      expect(await stores.ledger.release(accountId, open, NOW_MS + 1)).toBe(true);
      expect(await stores.ledger.release(accountId, open, NOW_MS + 2)).toBe(false);
      const afterRelease = await stores.ledger.state(accountId);
      const late = await stores.ledger.settle(accountId, requestId, open, 777n);
      const again = await stores.ledger.settle(accountId, requestId, open, 777n);

      expect(afterRelease.committed.get(chargeKeyOf(budget))).toBe(0n);
      expect(afterRelease.released.get(requestId)).toBe(NOW_MS + 1);
      expect([late, again]).toEqual(['settled-late', 'already-settled']);
      const ledger = await stores.ledger.state(accountId);
      expect(ledger.committed.get(chargeKeyOf(budget))).toBe(777n);
      expect(ledger.released.has(requestId)).toBe(false);
    });

    it('carries the ledger to a regenerated key, where a later settle lands', async () => {
      const { budget, view } = await budgetWith(USD);
      const requestId = randomUUID();
      await admit(reserve(budget, view, requestId));
      const next = newKey();

      await stores.metrionKeys.replaceMetrionKey(accountId, next);
      const outcome = await stores.ledger.settle(
        accountId,
        requestId,
        { reservedPicoUsd: MAX_COST, charges: [{ budgetId: budget.budgetId, period: PERIOD }] },
        5n,
      );

      expect(outcome).toBe('settled');
      const ledger = await stores.ledger.state(accountId);
      expect(ledger.committed.get(chargeKeyOf(budget))).toBe(5n);
      expect(ledger.reservations).toEqual([]);
    });

    it('prunes the periods and release marks it is told to', async () => {
      const { budget, view } = await budgetWith(USD);
      await admit(reserve(budget, view));
      const [open] = (await stores.ledger.state(accountId)).reservations;
      if (open === undefined) throw new Error('no reservation');
      await stores.ledger.release(accountId, open, NOW_MS);

      await stores.ledger.prune(accountId, {
        charges: [{ budgetId: budget.budgetId, period: PERIOD }],
        released: [open.requestId],
      });

      const ledger = await stores.ledger.state(accountId);
      expect(ledger.committed.size).toBe(0);
      expect(ledger.released.size).toBe(0);
    });
  });
}
