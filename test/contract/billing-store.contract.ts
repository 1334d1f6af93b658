import { randomBytes, randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { BillingState, SubscriptionSnapshot } from '#core/billing/billing-state.ts';
import { NotFoundError } from '#core/errors.ts';
import type { AccountStore } from '#core/ports/account-store.ts';
import type { BillingStore } from '#core/ports/billing-store.ts';
import type { ProxyAdmission } from '#core/ports/proxy-admission.ts';
import { newAccount, newMetrionKey } from '../fixtures/account-stores.ts';
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

/** The state of an account that knows one subscription, by its snapshot alone. */
const only = (snapshot: SubscriptionSnapshot): BillingState => ({
  subscriptions: { [snapshot.subscriptionId]: { snapshot } },
});

const NOW_MS = Date.UTC(2026, 10, 24, 12);
const NOW_EPOCH_SECONDS = NOW_MS / 1000;

/** A BillingStore, the AccountStore that creates its accounts, and the admission that reads both. */
export interface BillingStores {
  readonly accounts: AccountStore;
  readonly billing: BillingStore;
  readonly admission: ProxyAdmission;
}

/**
 * The BillingStore contract: every implementation (in-memory fake, DynamoBillingStore) must pass
 * it. What the proxy sees is checked through the paired ProxyAdmission. `createStores` is called
 * before each test; tests use fresh random ids, so a store may be shared.
 */
export function billingStoreContract(
  createStores: () => BillingStores | Promise<BillingStores>,
): void {
  const stores = freshForEachTest(createStores);
  customerIdContract(stores);
  savedStateContract(stores);
  versionedSaveContract(stores);
  removedStateContract(stores);
  processedEventsContract(stores);
}

/** The Stripe customer id, and the state of an account that has none. */
function customerIdContract(stores: BillingStores): void {
  it('starts with no billing state at version 0, and undefined for an unknown account', async () => {
    const account = newAccount();
    await stores.accounts.createAccount(account, newMetrionKey());

    expect(await stores.billing.getBillingRecord(account.accountId)).toEqual({
      plan: 'free',
      billing: {},
      version: 0,
    });
    expect(await stores.billing.getBillingRecord(randomUUID())).toBeUndefined();
  });

  it('stores the Stripe customer id once; a later id never replaces it', async () => {
    const account = newAccount();
    await stores.accounts.createAccount(account, newMetrionKey());

    expect(await stores.billing.setStripeCustomerId(account.accountId, 'cus_first')).toBe(
      'cus_first',
    );
    expect(await stores.billing.setStripeCustomerId(account.accountId, 'cus_second')).toBe(
      'cus_first',
    );
    expect(await stores.billing.setStripeCustomerId(account.accountId, 'cus_first')).toBe(
      'cus_first',
    );

    expect((await stores.billing.getBillingRecord(account.accountId))?.billing).toEqual({
      stripeCustomerId: 'cus_first',
    });
    expect((await stores.accounts.getAccount(account.accountId))?.billing).toEqual({
      stripeCustomerId: 'cus_first',
    });
  });

  it('keeps one customer id when two are stored concurrently', async () => {
    const account = newAccount();
    await stores.accounts.createAccount(account, newMetrionKey());

    const stored = await Promise.all([
      stores.billing.setStripeCustomerId(account.accountId, 'cus_a'),
      stores.billing.setStripeCustomerId(account.accountId, 'cus_b'),
    ]);

    expect(stored[0]).toBe(stored[1]);
    expect(
      (await stores.billing.getBillingRecord(account.accountId))?.billing.stripeCustomerId,
    ).toBe(stored[0]);
  });

  it('throws NotFoundError when storing a customer id or billing state for an unknown account', async () => {
    const accountId = randomUUID();

    await expect(stores.billing.setStripeCustomerId(accountId, 'cus_x')).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      stores.billing.saveBillingState(accountId, { billing: {}, plan: 'pro' }, 0),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(await stores.accounts.getAccount(accountId)).toBeUndefined();
  });
}

/** Saving billing state, onto the item the proxy reads. */
function savedStateContract(stores: BillingStores): void {
  it('saves every subscription and the plan on the item the proxy reads, keeping the customer id', async () => {
    // Arrange: two subscriptions (a second one paid in another tab), all registers set
    const account = newAccount();
    const metrionKey = newMetrionKey();
    await stores.accounts.createAccount(account, metrionKey);
    await stores.billing.setStripeCustomerId(account.accountId, 'cus_1');
    const first = subscription();
    const second = subscription({ subscriptionCreatedEpochSeconds: 1_795_000_001 });
    const state: BillingState = {
      stripeCustomerId: 'cus_ignored',
      subscriptions: {
        [first.subscriptionId]: {
          snapshot: first,
          checkout: {
            subscriptionId: first.subscriptionId,
            mark: { createdEpochSeconds: 1_795_000_000, rank: 0, eventId: 'evt_0' },
          },
          lastInvoice: {
            subscriptionId: first.subscriptionId,
            outcome: 'paid',
            mark: { createdEpochSeconds: 1_795_000_001, rank: 3, eventId: 'evt_2' },
          },
        },
        [second.subscriptionId]: { snapshot: second },
      },
    };

    // Act
    const saved = await stores.billing.saveBillingState(
      account.accountId,
      { billing: state, plan: 'pro' },
      0,
    );

    // Assert
    expect(saved).toBe(true);
    const expected: BillingState = { ...state, stripeCustomerId: 'cus_1' };
    expect(await stores.billing.getBillingRecord(account.accountId)).toEqual({
      plan: 'pro',
      billing: expected,
      version: 1,
    });
    expect(await proxyViewOf(stores.admission, metrionKey.digest)).toEqual({
      account: { ...account, plan: 'pro', billing: expected },
    });
  });
}

/** Optimistic concurrency: a save from a stale version changes nothing. */
function versionedSaveContract(stores: BillingStores): void {
  it('refuses a save from a stale version and changes nothing', async () => {
    const account = newAccount();
    await stores.accounts.createAccount(account, newMetrionKey());
    const first = subscription();
    expect(
      await stores.billing.saveBillingState(
        account.accountId,
        { billing: only(first), plan: 'pro' },
        0,
      ),
    ).toBe(true);

    const stale = await stores.billing.saveBillingState(
      account.accountId,
      { billing: only(subscription({ status: 'canceled' })), plan: 'free' },
      0,
    );

    expect(stale).toBe(false);
    expect(await stores.billing.getBillingRecord(account.accountId)).toEqual({
      plan: 'pro',
      billing: only(first),
      version: 1,
    });
  });

  it('lets exactly one of two concurrent saves from the same version win', async () => {
    const account = newAccount();
    await stores.accounts.createAccount(account, newMetrionKey());

    const results = await Promise.all([
      stores.billing.saveBillingState(
        account.accountId,
        { billing: only(subscription()), plan: 'pro' },
        0,
      ),
      stores.billing.saveBillingState(
        account.accountId,
        { billing: only(subscription({ status: 'past_due' })), plan: 'pro' },
        0,
      ),
    ]);

    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await stores.billing.getBillingRecord(account.accountId))?.version).toBe(1);
  });
}

/** What a save removes, and what a profile update keeps. */
function removedStateContract(stores: BillingStores): void {
  it('removes a register, or every subscription, that the next state no longer has', async () => {
    const account = newAccount();
    await stores.accounts.createAccount(account, newMetrionKey());
    const sub = subscription();
    const invoice = {
      subscriptionId: sub.subscriptionId,
      outcome: 'paid',
      mark: sub.mark,
    } as const;
    await stores.billing.saveBillingState(
      account.accountId,
      {
        billing: {
          subscriptions: { [sub.subscriptionId]: { snapshot: sub, lastInvoice: invoice } },
        },
        plan: 'pro',
      },
      0,
    );

    await stores.billing.saveBillingState(
      account.accountId,
      { billing: only(sub), plan: 'pro' },
      1,
    );
    const withoutInvoice = (await stores.billing.getBillingRecord(account.accountId))?.billing;
    await stores.billing.saveBillingState(account.accountId, { billing: {}, plan: 'free' }, 2);

    expect(withoutInvoice).toEqual(only(sub));
    expect(await stores.billing.getBillingRecord(account.accountId)).toEqual({
      plan: 'free',
      billing: {},
      version: 3,
    });
  });

  it('keeps billing state through a profile update, which still changes the plan', async () => {
    const account = newAccount();
    await stores.accounts.createAccount(account, newMetrionKey());
    await stores.billing.setStripeCustomerId(account.accountId, 'cus_1');

    const updated = await stores.accounts.updateProfile(account.accountId, {
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
}

/** The processed Stripe event ledger. */
function processedEventsContract(stores: BillingStores): void {
  it('records a processed Stripe event once', async () => {
    const eventId = `evt_${randomBytes(8).toString('hex')}`;
    const expires = NOW_EPOCH_SECONDS + 86_400;

    expect(await stores.billing.isBillingEventProcessed(eventId, NOW_MS)).toBe(false);
    expect(await stores.billing.recordBillingEventProcessed(eventId, NOW_MS, expires)).toBe(true);
    expect(await stores.billing.isBillingEventProcessed(eventId, NOW_MS)).toBe(true);
    expect(await stores.billing.recordBillingEventProcessed(eventId, NOW_MS, expires)).toBe(false);
    expect(await stores.billing.isBillingEventProcessed(`${eventId}x`, NOW_MS)).toBe(false);
  });

  it('treats an expired processed-event record as absent (TTL deletes lazily)', async () => {
    const eventId = `evt_${randomBytes(8).toString('hex')}`;
    await stores.billing.recordBillingEventProcessed(eventId, NOW_MS, NOW_EPOCH_SECONDS + 60);
    const later = NOW_MS + 61_000;

    expect(await stores.billing.isBillingEventProcessed(eventId, later)).toBe(false);
    expect(
      await stores.billing.recordBillingEventProcessed(eventId, later, later / 1000 + 60),
    ).toBe(true);
    expect(await stores.billing.isBillingEventProcessed(eventId, later)).toBe(true);
  });
}
