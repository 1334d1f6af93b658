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
import type { Admission, WindowCount } from '#core/ports/proxy-admission.ts';
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

/** A fresh account with its Metrion Key before each test, and helpers that read them. */
interface AdmissionSuite {
  stores: ProxyAdmissionFixture;
  account: Account;
  key: StoredMetrionKey;
  admit(options?: AdmitOptions): Promise<Admission>;
  count(counter: string): Promise<WindowCount>;
}

interface AdmitOptions {
  digest?: string;
  nowMs?: number;
  limits?: PlanLimitTable;
  monthly?: boolean;
  provider?: ProviderId;
}

function outcomes(answers: readonly Admission[]): string[] {
  return answers.map((answer) =>
    answer.outcome === 'refused' ? `refused:${answer.window}` : answer.outcome,
  );
}

function admissionSuite(
  createStores: () => ProxyAdmissionFixture | Promise<ProxyAdmissionFixture>,
): AdmissionSuite {
  const suite = {
    admit: (options: AdmitOptions = {}) =>
      suite.stores.admission.admit(
        admissionRequest(
          {
            keyDigest: options.digest ?? suite.key.digest,
            provider: options.provider ?? 'openai',
          },
          options.nowMs ?? NOW_MS,
          options.monthly === undefined ? {} : { monthly: options.monthly },
          options.limits,
        ),
      ),
    count: (counter: string) => suite.stores.admission.windowCount(suite.key.digest, counter),
  } as AdmissionSuite;
  beforeEach(async () => {
    suite.stores = await createStores();
    suite.account = testAccount(randomUUID());
    suite.key = newMetrionKey();
    await suite.stores.accounts.createAccount(suite.account, suite.key);
  });
  return suite;
}

/**
 * The ProxyAdmission contract: every implementation (the in-memory fake, DynamoProxyAdmission
 * on dynalite) must pass it. Tests use fresh accounts, so the table may be shared.
 */
export function proxyAdmissionContract(
  createStores: () => ProxyAdmissionFixture | Promise<ProxyAdmissionFixture>,
): void {
  const suite = admissionSuite(createStores);
  authenticationContract(suite);
  planContract(suite);
  limitsContract(suite);
}

function authenticationContract(suite: AdmissionSuite): void {
  const { admit } = suite;
  describe('authentication', () => {
    it('admits the key with the account and the requested provider key only', async () => {
      const anthropic = providerKey(suite.account.accountId, 'anthropic');
      await suite.stores.providerKeys.putProviderKey(anthropic);
      await suite.stores.providerKeys.putProviderKey(
        providerKey(suite.account.accountId, 'openai'),
      );

      expect(await admit({ provider: 'anthropic' })).toEqual({
        outcome: 'admitted',
        caller: { account: suite.account, providerKey: anthropic },
      });
      expect(await admit({ provider: 'gemini' })).toEqual({
        outcome: 'admitted',
        caller: { account: suite.account },
      });
    });

    it('answers unknown-key for a digest nobody owns, counting nothing', async () => {
      const stranger = newMetrionKey().digest;
      expect(await admit({ digest: stranger })).toEqual({ outcome: 'unknown-key' });
      expect(await suite.stores.admission.windowCount(stranger, minuteCounter(NOW_MS))).toEqual({
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
      await suite.stores.metrionKeys.replaceMetrionKey(suite.account.accountId, next);

      // Assert
      expect(await admit()).toEqual({ outcome: 'unknown-key' });
      expect((await admit({ digest: next.digest })).outcome).toBe('admitted');
      expect(
        (await suite.stores.admission.windowCount(next.digest, monthCounter(NOW_MS))).count,
      ).toBe(3);
    });

    it('never hands out a provider key after its delete returned', async () => {
      await suite.stores.providerKeys.putProviderKey(
        providerKey(suite.account.accountId, 'openai'),
      );
      expect(await admit()).toMatchObject({ caller: { providerKey: { provider: 'openai' } } });

      await suite.stores.providerKeys.deleteProviderKey(suite.account.accountId, 'openai');

      expect(await admit()).toEqual({ outcome: 'admitted', caller: { account: suite.account } });
    });
  });
}

function planContract(suite: AdmissionSuite): void {
  const { admit } = suite;
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

      await suite.stores.accounts.updateProfile(suite.account.accountId, { plan: 'pro' });

      expect((await admit({ limits })).outcome).toBe('admitted');
      await suite.stores.accounts.updateProfile(suite.account.accountId, { plan: 'free' });
      expect(outcomes([await admit({ limits })])).toEqual(['refused:month']);
    });

    it('ends Pro at the end of a period set to cancel, to the millisecond', async () => {
      // Arrange: the month is used up; Pro until the period ends
      const periodEndMs = NOW_MS + 10_000;
      const limits = smallLimits(100, 1);
      await admit({ limits });
      await suite.stores.billing.saveBillingState(
        suite.account.accountId,
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

    it('holds each plan to its own per-minute limit, and names the plan that refused', async () => {
      const limits: PlanLimitTable = {
        free: { ...PLAN_LIMITS.free, requestsPerMinutePerKey: 1 },
        pro: { ...PLAN_LIMITS.pro, requestsPerMinutePerKey: 2 },
      };
      expect(outcomes([await admit({ limits }), await admit({ limits })])).toEqual([
        'admitted',
        'refused:minute',
      ]);

      await suite.stores.accounts.updateProfile(suite.account.accountId, { plan: 'pro' });

      expect((await admit({ limits })).outcome).toBe('admitted');
      expect(await admit({ limits })).toEqual({
        outcome: 'refused',
        window: 'minute',
        plan: 'pro',
      });
    });

    it('caps a downgrade mid-month with the requests made while on Pro', async () => {
      await suite.stores.accounts.updateProfile(suite.account.accountId, { plan: 'pro' });
      const limits = smallLimits(100, 4);
      for (let i = 0; i < 3; i += 1) await admit({ limits });
      await suite.stores.accounts.updateProfile(suite.account.accountId, { plan: 'free' });

      expect(outcomes([await admit({ limits }), await admit({ limits })])).toEqual([
        'admitted',
        'refused:month',
      ]);
    });
  });
}

function limitsContract(suite: AdmissionSuite): void {
  const { admit, count } = suite;
  describe('limits', () => {
    it('admits exactly 50 of 150 concurrent requests when 9,950 of 10,000 are used', async () => {
      await suite.stores.setWindowCount(suite.key.digest, monthCounter(NOW_MS), 9_950);

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

    it('admits nothing in a window whose limit is 0', async () => {
      const answer = await admit({ limits: smallLimits(0, 10) });

      expect(answer).toEqual({ outcome: 'refused', window: 'minute', plan: 'free' });
      expect(await count(minuteCounter(NOW_MS))).toEqual({ count: 0, refused: 1 });
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
