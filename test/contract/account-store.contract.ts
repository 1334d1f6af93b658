import { randomBytes, randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Account } from '#core/accounts/account.ts';
import type { BillingState, SubscriptionSnapshot } from '#core/billing/billing-state.ts';
import { NotFoundError } from '#core/errors.ts';
import type { AccountStore } from '#core/ports/account-store.ts';
import type { ProxyAdmission } from '#core/ports/proxy-admission.ts';
import {
  type AccountPorts,
  expectMetrionError,
  newAccount,
  newMetrionKey,
  ownerOf,
} from '../fixtures/account-stores.ts';
import { proxyViewOf } from '../fixtures/admission.ts';
import { freshForEachTest } from '../fixtures/each-test.ts';

function subscription(overrides: Partial<SubscriptionSnapshot> = {}): SubscriptionSnapshot {
  return {
    subscriptionId: `sub_${randomBytes(6).toString('hex')}`,
    subscriptionCreatedEpochSeconds: 1_795_000_000,
    status: 'active',
    currentPeriodEndAt: '2026-12-24T10:00:00.000Z',
    cancelAtPeriodEnd: false,
    mark: { createdEpochSeconds: 1_795_000_000, rank: 1, eventId: 'evt_1' },
    ...overrides,
  };
}

const NOW_MS = Date.UTC(2026, 10, 24, 12);
const NOW_EPOCH_SECONDS = NOW_MS / 1000;

function accountsSuite(createPorts: () => AccountPorts | Promise<AccountPorts>): void {
  describe('accounts', () => {
    const ports = freshForEachTest(createPorts);

    it('returns a created account, and undefined for an unknown id', async () => {
      const account = newAccount();
      await ports.accounts.createAccount(account, newMetrionKey());

      expect(await ports.accounts.getAccount(account.accountId)).toEqual(account);
      expect(await ports.accounts.getAccount(randomUUID())).toBeUndefined();
    });

    it('rejects a second account with the same id and keeps the first one intact', async () => {
      const first = newAccount();
      const firstKey = newMetrionKey();
      await ports.accounts.createAccount(first, firstKey);
      const secondKey = newMetrionKey();

      await expectMetrionError(
        ports.accounts.createAccount({ ...first, email: 'intruder@example.com' }, secondKey),
        'account_exists',
      );

      expect(await ports.accounts.getAccount(first.accountId)).toEqual(first);
      expect(await ports.metrionKeys.getMetrionKey(first.accountId)).toEqual(firstKey);
      expect(await ownerOf(ports.admission, secondKey.digest)).toBeUndefined();
    });

    it('never takes over a digest that another account owns', async () => {
      const owner = newAccount();
      const key = newMetrionKey();
      await ports.accounts.createAccount(owner, key);
      const other = newAccount();

      await expectMetrionError(ports.accounts.createAccount(other, key), 'metrion_key_conflict');

      expect(await ownerOf(ports.admission, key.digest)).toBe(owner.accountId);
      expect(await ports.accounts.getAccount(other.accountId)).toBeUndefined();
      await ports.accounts.createAccount(other, newMetrionKey());
      expect(await ports.accounts.getAccount(other.accountId)).toEqual(other);
    });
  });
}

function proxyViewSuite(createPorts: () => AccountPorts | Promise<AccountPorts>): void {
  describe('proxy view', () => {
    const ports = freshForEachTest(createPorts);

    it('shows a plan change on the next admission', async () => {
      const account = newAccount();
      const metrionKey = newMetrionKey();
      await ports.accounts.createAccount(account, metrionKey);

      await ports.accounts.updateProfile(account.accountId, { plan: 'pro', displayName: 'Pro' });

      expect((await proxyViewOf(ports.admission, metrionKey.digest))?.account).toEqual({
        ...account,
        plan: 'pro',
        displayName: 'Pro',
      });
    });
  });
}

function profileSuite(createPorts: () => AccountPorts | Promise<AccountPorts>): void {
  describe('profile', () => {
    const ports = freshForEachTest(createPorts);

    it('updates only the given fields and returns the updated account', async () => {
      const account = newAccount();
      const key = newMetrionKey();
      await ports.accounts.createAccount(account, key);

      const updated = await ports.accounts.updateProfile(account.accountId, {
        displayName: 'Grace Hopper',
        plan: 'pro',
      });

      const expected: Account = { ...account, displayName: 'Grace Hopper', plan: 'pro' };
      expect(updated).toEqual(expected);
      expect(await ports.accounts.getAccount(account.accountId)).toEqual(expected);
      expect(await ports.metrionKeys.getMetrionKey(account.accountId)).toEqual(key);
      expect(await ownerOf(ports.admission, key.digest)).toBe(account.accountId);
    });

    it('returns the unchanged account for an empty change set', async () => {
      const account = newAccount();
      await ports.accounts.createAccount(account, newMetrionKey());

      expect(await ports.accounts.updateProfile(account.accountId, {})).toEqual(account);
    });

    it('throws NotFoundError for an unknown account and creates nothing', async () => {
      const accountId = randomUUID();

      await expect(
        ports.accounts.updateProfile(accountId, { currency: 'CHF' }),
      ).rejects.toBeInstanceOf(NotFoundError);
      await expect(ports.accounts.updateProfile(accountId, {})).rejects.toBeInstanceOf(
        NotFoundError,
      );
      expect(await ports.accounts.getAccount(accountId)).toBeUndefined();
    });
  });
}

/**
 * The AccountStore contract: every implementation (in-memory fake, DynamoAccountStore) must
 * pass it. What the proxy sees is checked through the paired ProxyAdmission, the key through the
 * paired MetrionKeyStore. `createPorts` is called before each test; tests use fresh random ids,
 * so a store may be shared.
 */
export function accountStoreContract(
  createPorts: () => AccountPorts | Promise<AccountPorts>,
): void {
  let store: AccountStore;
  let admission: ProxyAdmission;

  beforeEach(async () => {
    ({ accounts: store, admission } = await createPorts());
  });

  accountsSuite(createPorts);
  proxyViewSuite(createPorts);
  profileSuite(createPorts);

  describe('billing', () => {
    it('starts with no billing state at version 0, and undefined for an unknown account', async () => {
      const account = newAccount();
      await store.createAccount(account, newMetrionKey());

      expect(await store.getBillingRecord(account.accountId)).toEqual({
        plan: 'free',
        billing: {},
        version: 0,
      });
      expect(await store.getBillingRecord(randomUUID())).toBeUndefined();
    });

    it('stores the Stripe customer id once; a later id never replaces it', async () => {
      const account = newAccount();
      await store.createAccount(account, newMetrionKey());

      expect(await store.setStripeCustomerId(account.accountId, 'cus_first')).toBe('cus_first');
      expect(await store.setStripeCustomerId(account.accountId, 'cus_second')).toBe('cus_first');
      expect(await store.setStripeCustomerId(account.accountId, 'cus_first')).toBe('cus_first');

      expect((await store.getBillingRecord(account.accountId))?.billing).toEqual({
        stripeCustomerId: 'cus_first',
      });
      expect((await store.getAccount(account.accountId))?.billing).toEqual({
        stripeCustomerId: 'cus_first',
      });
    });

    it('keeps one customer id when two are stored concurrently', async () => {
      const account = newAccount();
      await store.createAccount(account, newMetrionKey());

      const stored = await Promise.all([
        store.setStripeCustomerId(account.accountId, 'cus_a'),
        store.setStripeCustomerId(account.accountId, 'cus_b'),
      ]);

      expect(stored[0]).toBe(stored[1]);
      expect((await store.getBillingRecord(account.accountId))?.billing.stripeCustomerId).toBe(
        stored[0],
      );
    });

    it('throws NotFoundError when storing a customer id or billing state for an unknown account', async () => {
      const accountId = randomUUID();

      await expect(store.setStripeCustomerId(accountId, 'cus_x')).rejects.toBeInstanceOf(
        NotFoundError,
      );
      await expect(
        store.saveBillingState(accountId, { billing: {}, plan: 'pro' }, 0),
      ).rejects.toBeInstanceOf(NotFoundError);
      expect(await store.getAccount(accountId)).toBeUndefined();
    });

    it('saves billing registers and plan on the item the proxy reads, keeping the customer id', async () => {
      // Arrange
      const account = newAccount();
      const metrionKey = newMetrionKey();
      await store.createAccount(account, metrionKey);
      await store.setStripeCustomerId(account.accountId, 'cus_1');
      const sub = subscription();
      const billing: BillingState = {
        stripeCustomerId: 'cus_ignored',
        subscription: sub,
        checkout: {
          subscriptionId: sub.subscriptionId,
          mark: { createdEpochSeconds: 1_795_000_000, rank: 0, eventId: 'evt_0' },
        },
        lastInvoice: {
          subscriptionId: sub.subscriptionId,
          outcome: 'paid',
          mark: { createdEpochSeconds: 1_795_000_001, rank: 3, eventId: 'evt_2' },
        },
      };

      // Act
      const saved = await store.saveBillingState(account.accountId, { billing, plan: 'pro' }, 0);

      // Assert
      expect(saved).toBe(true);
      const expected: BillingState = { ...billing, stripeCustomerId: 'cus_1' };
      expect(await store.getBillingRecord(account.accountId)).toEqual({
        plan: 'pro',
        billing: expected,
        version: 1,
      });
      expect(await proxyViewOf(admission, metrionKey.digest)).toEqual({
        account: { ...account, plan: 'pro', billing: expected },
      });
    });

    it('refuses a save from a stale version and changes nothing', async () => {
      const account = newAccount();
      await store.createAccount(account, newMetrionKey());
      const first = subscription();
      expect(
        await store.saveBillingState(
          account.accountId,
          { billing: { subscription: first }, plan: 'pro' },
          0,
        ),
      ).toBe(true);

      const stale = await store.saveBillingState(
        account.accountId,
        { billing: { subscription: subscription({ status: 'canceled' }) }, plan: 'free' },
        0,
      );

      expect(stale).toBe(false);
      expect(await store.getBillingRecord(account.accountId)).toEqual({
        plan: 'pro',
        billing: { subscription: first },
        version: 1,
      });
    });

    it('lets exactly one of two concurrent saves from the same version win', async () => {
      const account = newAccount();
      await store.createAccount(account, newMetrionKey());

      const results = await Promise.all([
        store.saveBillingState(
          account.accountId,
          { billing: { subscription: subscription() }, plan: 'pro' },
          0,
        ),
        store.saveBillingState(
          account.accountId,
          { billing: { subscription: subscription({ status: 'past_due' }) }, plan: 'pro' },
          0,
        ),
      ]);

      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await store.getBillingRecord(account.accountId))?.version).toBe(1);
    });

    it('removes a register that the next state no longer has', async () => {
      const account = newAccount();
      await store.createAccount(account, newMetrionKey());
      const sub = subscription();
      const invoice = {
        subscriptionId: sub.subscriptionId,
        outcome: 'paid',
        mark: sub.mark,
      } as const;
      await store.saveBillingState(
        account.accountId,
        { billing: { subscription: sub, lastInvoice: invoice }, plan: 'pro' },
        0,
      );

      await store.saveBillingState(
        account.accountId,
        { billing: { subscription: sub }, plan: 'pro' },
        1,
      );

      expect((await store.getBillingRecord(account.accountId))?.billing).toEqual({
        subscription: sub,
      });
    });

    it('keeps billing state through a profile update, which still changes the plan', async () => {
      const account = newAccount();
      await store.createAccount(account, newMetrionKey());
      await store.setStripeCustomerId(account.accountId, 'cus_1');

      const updated = await store.updateProfile(account.accountId, {
        displayName: 'Grace',
        plan: 'pro',
      });

      expect(updated).toEqual({
        ...account,
        displayName: 'Grace',
        plan: 'pro',
        billing: { stripeCustomerId: 'cus_1' },
      });
    });

    it('records a processed Stripe event once', async () => {
      const eventId = `evt_${randomBytes(8).toString('hex')}`;
      const expires = NOW_EPOCH_SECONDS + 86_400;

      expect(await store.isBillingEventProcessed(eventId, NOW_MS)).toBe(false);
      expect(await store.recordBillingEventProcessed(eventId, NOW_MS, expires)).toBe(true);
      expect(await store.isBillingEventProcessed(eventId, NOW_MS)).toBe(true);
      expect(await store.recordBillingEventProcessed(eventId, NOW_MS, expires)).toBe(false);
      expect(await store.isBillingEventProcessed(`${eventId}x`, NOW_MS)).toBe(false);
    });

    it('treats an expired processed-event record as absent (TTL deletes lazily)', async () => {
      const eventId = `evt_${randomBytes(8).toString('hex')}`;
      await store.recordBillingEventProcessed(eventId, NOW_MS, NOW_EPOCH_SECONDS + 60);
      const later = NOW_MS + 61_000;

      expect(await store.isBillingEventProcessed(eventId, later)).toBe(false);
      expect(await store.recordBillingEventProcessed(eventId, later, later / 1000 + 60)).toBe(true);
      expect(await store.isBillingEventProcessed(eventId, later)).toBe(true);
    });
  });
}
