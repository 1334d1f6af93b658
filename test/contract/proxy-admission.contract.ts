import { randomBytes, randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Account, StoredMetrionKey, StoredProviderKey } from '#core/accounts/account.ts';
import { PLAN_LIMITS } from '#core/billing/plans.ts';
import {
  admissionRequest,
  minuteCounter,
  monthCounter,
  type PlanLimitTable,
} from '#core/limits/request-limits.ts';
import type { Admission } from '#core/ports/proxy-admission.ts';
import type { ProviderId } from '#core/providers/provider-registry.ts';
import { testAccount, UNOPENED_SEALED_SECRET } from '../fixtures/account.ts';
import type { AccountPorts } from '../fixtures/account-stores.ts';

/** What a suite needs: the writers, the admission reading them, and a way to pre-fill a window. */
export interface ProxyAdmissionFixture extends AccountPorts {
  setWindowCount(keyDigest: string, counter: string, count: number): Promise<void>;
}

const NOW_MS = Date.parse('2026-11-30T23:58:30.000Z');
const newMetrionKey = (): StoredMetrionKey => ({
  digest: randomBytes(32).toString('hex'),
  sealed: UNOPENED_SEALED_SECRET,
});

function providerKey(accountId: string, provider: ProviderId): StoredProviderKey {
  return {
    accountId,
    provider,
    sealed: UNOPENED_SEALED_SECRET,
    createdAt: '2026-11-24T11:00:00.000Z',
  };
}

function smallLimits(perMinute: number, monthly: number): PlanLimitTable {
  return {
    free: { ...PLAN_LIMITS.free, requestsPerMinutePerKey: perMinute, monthlyRequests: monthly },
    pro: { ...PLAN_LIMITS.pro, requestsPerMinutePerKey: perMinute },
  };
}

/**
 * The ProxyAdmission contract: every implementation (the in-memory fake, DynamoProxyAdmission
 * on dynalite) must pass it. Tests use fresh accounts, so the table may be shared.
 */
export function proxyAdmissionContract(
  createStores: () => ProxyAdmissionFixture | Promise<ProxyAdmissionFixture>,
): void {
  let stores: ProxyAdmissionFixture;
  let account: Account;
  let key: StoredMetrionKey;

  beforeEach(async () => {
    stores = await createStores();
    account = testAccount(randomUUID());
    key = newMetrionKey();
    await stores.accounts.createAccount(account, key);
  });

  const admit = (
    options: {
      digest?: string;
      nowMs?: number;
      limits?: PlanLimitTable;
      monthly?: boolean;
      provider?: ProviderId;
    } = {},
  ): Promise<Admission> =>
    stores.admission.admit(
      admissionRequest(
        { keyDigest: options.digest ?? key.digest, provider: options.provider ?? 'openai' },
        options.nowMs ?? NOW_MS,
        options.monthly === undefined ? {} : { monthly: options.monthly },
        options.limits,
      ),
    );
  const outcomes = (answers: readonly Admission[]) =>
    answers.map((answer) =>
      answer.outcome === 'refused' ? `refused:${answer.window}` : answer.outcome,
    );
  const count = (counter: string) => stores.admission.windowCount(key.digest, counter);

  describe('authentication', () => {
    it('admits the key with the account and the requested provider key only', async () => {
      const anthropic = providerKey(account.accountId, 'anthropic');
      await stores.providerKeys.putProviderKey(anthropic);
      await stores.providerKeys.putProviderKey(providerKey(account.accountId, 'openai'));

      expect(await admit({ provider: 'anthropic' })).toEqual({
        outcome: 'admitted',
        caller: { account, providerKey: anthropic },
      });
      expect(await admit({ provider: 'gemini' })).toEqual({
        outcome: 'admitted',
        caller: { account },
      });
    });

    it('answers unknown-key for a digest nobody owns, counting nothing', async () => {
      const stranger = newMetrionKey().digest;
      expect(await admit({ digest: stranger })).toEqual({ outcome: 'unknown-key' });
      expect(await stores.admission.windowCount(stranger, minuteCounter(NOW_MS))).toEqual({
        count: 0,
        refused: 0,
      });
    });

    it('refuses a regenerated key on the very next admission, and carries the month over', async () => {
      // Arrange
      await admit();
      await admit();
      const next = newMetrionKey();

      // Act
      await stores.metrionKeys.replaceMetrionKey(account.accountId, next);

      // Assert
      expect(await admit()).toEqual({ outcome: 'unknown-key' });
      expect((await admit({ digest: next.digest })).outcome).toBe('admitted');
      expect((await stores.admission.windowCount(next.digest, monthCounter(NOW_MS))).count).toBe(3);
    });

    it('never hands out a provider key after its delete returned', async () => {
      await stores.providerKeys.putProviderKey(providerKey(account.accountId, 'openai'));
      expect(await admit()).toMatchObject({ caller: { providerKey: { provider: 'openai' } } });

      await stores.providerKeys.deleteProviderKey(account.accountId, 'openai');

      expect(await admit()).toEqual({ outcome: 'admitted', caller: { account } });
    });
  });

  describe('plan', () => {
    it('applies a plan change to the next admission', async () => {
      const limits = smallLimits(100, 2);
      await admit({ limits });
      await admit({ limits });
      expect(await admit({ limits })).toEqual({
        outcome: 'refused',
        window: 'month',
        plan: 'free',
      });

      await stores.accounts.updateProfile(account.accountId, { plan: 'pro' });

      expect((await admit({ limits })).outcome).toBe('admitted');
      await stores.accounts.updateProfile(account.accountId, { plan: 'free' });
      expect(outcomes([await admit({ limits })])).toEqual(['refused:month']);
    });

    it('ends Pro at the end of a period set to cancel, to the millisecond', async () => {
      // Arrange: the month is used up; Pro until the period ends
      const periodEndMs = NOW_MS + 10_000;
      const limits = smallLimits(100, 1);
      await admit({ limits });
      await stores.billing.saveBillingState(
        account.accountId,
        {
          plan: 'pro',
          billing: {
            subscriptions: {
              sub_1: {
                snapshot: {
                  subscriptionId: 'sub_1',
                  subscriptionCreatedEpochSeconds: 1_795_000_000,
                  status: 'active',
                  currentPeriodEndAt: new Date(periodEndMs).toISOString(),
                  cancelAtPeriodEnd: true,
                  mark: { createdEpochSeconds: 1_795_000_000, rank: 4, eventId: 'evt_1' },
                },
              },
            },
          },
        },
        0,
      );

      // Act + Assert
      expect((await admit({ limits, nowMs: periodEndMs - 1 })).outcome).toBe('admitted');
      expect(await admit({ limits, nowMs: periodEndMs })).toEqual({
        outcome: 'refused',
        window: 'month',
        plan: 'free',
      });
    });

    it('caps a downgrade mid-month with the requests made while on Pro', async () => {
      await stores.accounts.updateProfile(account.accountId, { plan: 'pro' });
      const limits = smallLimits(100, 4);
      for (let i = 0; i < 3; i += 1) await admit({ limits });
      await stores.accounts.updateProfile(account.accountId, { plan: 'free' });

      expect(outcomes([await admit({ limits }), await admit({ limits })])).toEqual([
        'admitted',
        'refused:month',
      ]);
    });
  });

  describe('limits', () => {
    it('admits exactly 50 of 150 concurrent requests when 9,950 of 10,000 are used', async () => {
      await stores.setWindowCount(key.digest, monthCounter(NOW_MS), 9_950);

      const answers = await Promise.all(Array.from({ length: 150 }, () => admit()));

      expect(outcomes(answers).filter((outcome) => outcome === 'admitted')).toHaveLength(50);
      expect(outcomes(answers).filter((outcome) => outcome === 'refused:month')).toHaveLength(100);
      expect(await count(monthCounter(NOW_MS))).toEqual({ count: 10_000, refused: 100 });
    });

    it('admits exactly 100 of 150 concurrent requests in one minute', async () => {
      const answers = await Promise.all(Array.from({ length: 150 }, () => admit()));

      expect(outcomes(answers).filter((outcome) => outcome === 'admitted')).toHaveLength(100);
      expect(outcomes(answers).filter((outcome) => outcome === 'refused:minute')).toHaveLength(50);
      expect(await count(minuteCounter(NOW_MS))).toEqual({ count: 100, refused: 50 });
      expect((await count(monthCounter(NOW_MS))).count).toBe(100);
    });

    it('never spends monthly quota on a request the minute refused', async () => {
      const limits = smallLimits(2, 10);
      const answers = [await admit({ limits }), await admit({ limits }), await admit({ limits })];

      expect(outcomes(answers)).toEqual(['admitted', 'admitted', 'refused:minute']);
      expect(await count(monthCounter(NOW_MS))).toEqual({ count: 2, refused: 0 });
    });

    it('opens fresh windows at the next minute and on the 1st of the month (UTC)', async () => {
      const limits = smallLimits(2, 3);
      const at = (iso: string) => admit({ limits, nowMs: Date.parse(iso) });
      const first = [await at('2026-11-30T23:58:30Z'), await at('2026-11-30T23:58:31Z')];
      const fullMinute = await at('2026-11-30T23:58:59.999Z');
      const nextMinute = [await at('2026-11-30T23:59:00Z'), await at('2026-11-30T23:59:01Z')];
      const nextMonth = await at('2026-12-01T00:00:00Z');

      expect(outcomes([...first, fullMinute, ...nextMinute, nextMonth])).toEqual([
        'admitted',
        'admitted',
        'refused:minute',
        'admitted',
        'refused:month',
        'admitted',
      ]);
    });

    it('counts side calls on the minute only, and lets them through a full month', async () => {
      const limits = smallLimits(100, 1);
      await admit({ limits });

      const sideCall = await admit({ limits, monthly: false });

      expect(sideCall.outcome).toBe('admitted');
      expect(await count(minuteCounter(NOW_MS))).toEqual({ count: 2, refused: 0 });
      expect(await count(monthCounter(NOW_MS))).toEqual({ count: 1, refused: 0 });
    });
  });
}
