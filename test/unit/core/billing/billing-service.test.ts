import { describe, expect, it } from 'vitest';
import type { BillingEvent } from '#core/billing/billing-event.ts';
import { createBillingService } from '#core/billing/billing-service.ts';
import {
  AlreadyProError,
  InvalidWebhookSignatureError,
  NoBillingCustomerError,
  NotFoundError,
  SubscriptionStillOpenError,
} from '#core/errors.ts';
import { admissionRequest } from '#core/limits/request-limits.ts';
import { FAKE_VALID_SIGNATURE, FakeBillingGateway } from '../../../fakes/fake-billing-gateway.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';
import { InMemoryAccountStore } from '../../../fakes/in-memory-account-store.ts';
import { testAccount, UNOPENED_SEALED_SECRET } from '../../../fixtures/account.ts';
import { proxyViewOf } from '../../../fixtures/admission.ts';
import { checkoutCompleted, subscriptionEvent } from '../../../fixtures/events/billing-events.ts';

const T0 = 1_795_000_000;
const DAY = 86_400;
const CONFIG = {
  proPriceId: 'price_pro',
  proMonthlyPriceUsd: '29.00',
  checkoutSuccessUrl: 'https://app.example/settings/billing?checkout=success',
  checkoutCancelUrl: 'https://app.example/settings/billing',
  portalReturnUrl: 'https://app.example/settings/billing',
};

async function setup() {
  const accounts = new InMemoryAccountStore();
  const gateway = new FakeBillingGateway();
  const clock = new FakeClock({ startMs: (T0 + DAY) * 1000 });
  for (const id of ['acct-a', 'acct-b']) {
    await accounts.createAccount(testAccount(id), {
      digest: `digest-${id}`,
      sealed: UNOPENED_SEALED_SECRET,
    });
  }
  const billing = createBillingService({
    accounts,
    metrionKeys: accounts,
    billingRecords: accounts,
    requestCounts: accounts,
    gateway,
    clock,
    config: CONFIG,
  });
  const deliver = (event: BillingEvent, signature = FAKE_VALID_SIGNATURE) =>
    billing.handleWebhook(JSON.stringify(event), signature);
  return { accounts, gateway, clock, billing, deliver };
}

/** Checkout for acct-a, then the webhook pair that makes it Pro. */
async function subscribeA(context: Awaited<ReturnType<typeof setup>>) {
  await context.billing.startCheckout('acct-a');
  const customerId = (await context.accounts.getBillingRecord('acct-a'))?.billing.stripeCustomerId;
  const ids = { accountId: 'acct-a', customerId: customerId ?? '', subscriptionId: 'sub_a' };
  await context.deliver(checkoutCompleted(ids, T0));
  await context.deliver(subscriptionEvent('customer.subscription.created', ids, T0));
  return ids;
}

describe('getBillingView', () => {
  it('shows Free with status none for an account that never subscribed', async () => {
    const { billing } = await setup();

    expect(await billing.getBillingView('acct-a')).toEqual({
      plan: 'free',
      status: 'none',
      currentPeriodEndAt: null,
      cancelAtPeriodEnd: false,
      proMonthlyPriceUsd: '29.00',
      thisMonth: { requests: 0, resetsAtMs: Date.parse('2026-12-01T00:00:00.000Z') },
    });
    await expect(billing.getBillingView('nobody')).rejects.toBeInstanceOf(NotFoundError);
    await expect(billing.getBillingView('nobody')).rejects.toThrow('This account does not exist.');
  });

  it("counts this month's requests on the counter the Free cap is enforced on", async () => {
    const { billing, accounts, clock } = await setup();
    const admit = () =>
      accounts.admit(
        admissionRequest({ keyDigest: 'digest-acct-a', provider: 'openai' }, clock.nowMs()),
      );

    // Three requests this month, one model list (not counted against the cap) and another
    // account's request.
    for (let request = 0; request < 3; request += 1) await admit();
    await accounts.admit(
      admissionRequest({ keyDigest: 'digest-acct-a', provider: 'openai' }, clock.nowMs(), {
        monthly: false,
      }),
    );
    await accounts.admit(
      admissionRequest({ keyDigest: 'digest-acct-b', provider: 'openai' }, clock.nowMs()),
    );

    expect((await billing.getBillingView('acct-a')).thisMonth.requests).toBe(3);
    // A new month starts from zero.
    clock.set(Date.parse('2026-12-01T00:00:00.000Z'));
    expect((await billing.getBillingView('acct-a')).thisMonth).toEqual({
      requests: 0,
      resetsAtMs: Date.parse('2027-01-01T00:00:00.000Z'),
    });
  });
});

describe('startCheckout', () => {
  it('creates the customer once, stores it, and starts a subscription checkout for the Pro price', async () => {
    const { billing, gateway, accounts } = await setup();

    const first = await billing.startCheckout('acct-a');
    await billing.startCheckout('acct-a');

    expect(first.url).toMatch(/^https:\/\/checkout\.example\//);
    expect(gateway.customersCreated).toEqual([
      {
        accountId: 'acct-a',
        email: 'acct-a@example.com',
        idempotencyKey: 'metrion-customer-acct-a',
      },
    ]);
    expect(gateway.checkoutSessions[1]).toEqual({
      accountId: 'acct-a',
      customerId: 'cus_fake1',
      priceId: 'price_pro',
      successUrl: 'https://app.example/settings/billing?checkout=success',
      cancelUrl: 'https://app.example/settings/billing',
    });
    expect((await accounts.getBillingRecord('acct-a'))?.billing.stripeCustomerId).toBe('cus_fake1');
  });

  it('keeps one customer when two checkouts start concurrently', async () => {
    const { billing, gateway, accounts } = await setup();

    await Promise.all([billing.startCheckout('acct-a'), billing.startCheckout('acct-a')]);

    expect(new Set(gateway.checkoutSessions.map((session) => session.customerId)).size).toBe(1);
    expect((await accounts.getBillingRecord('acct-a'))?.billing.stripeCustomerId).toBe(
      gateway.checkoutSessions[0]?.customerId,
    );
  });

  it('pays both concurrent checkouts to the stored customer even when Stripe made two', async () => {
    // Arrange: Stripe forgot the idempotency key, so each click creates its own customer
    const { billing, gateway, accounts } = await setup();
    gateway.honoursIdempotencyKeys = false;

    // Act
    await Promise.all([billing.startCheckout('acct-a'), billing.startCheckout('acct-a')]);

    // Assert: the first stored customer wins the set-once write and both pages bill it
    expect(gateway.customersCreated).toHaveLength(2);
    expect((await accounts.getBillingRecord('acct-a'))?.billing.stripeCustomerId).toBe('cus_fake1');
    expect(gateway.checkoutSessions.map((session) => session.customerId)).toEqual([
      'cus_fake1',
      'cus_fake1',
    ]);
  });

  it('refuses with not_found and creates no customer when the account is gone', async () => {
    // Arrange: the billing record is still readable, the account no longer is
    const { accounts, gateway, clock } = await setup();
    const billing = createBillingService({
      accounts: { getAccount: async () => undefined },
      metrionKeys: accounts,
      billingRecords: accounts,
      requestCounts: accounts,
      gateway,
      clock,
      config: CONFIG,
    });

    // Act
    const error = await billing.startCheckout('acct-a').catch((caught: unknown) => caught);

    // Assert
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toContain('does not exist');
    expect(gateway.customersCreated).toEqual([]);
    expect(gateway.checkoutSessions).toEqual([]);
  });

  it('refuses with already_pro on Pro', async () => {
    const context = await setup();
    await subscribeA(context);

    const error = await context.billing.startCheckout('acct-a').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(AlreadyProError);
    expect((error as AlreadyProError).code).toBe('already_pro');
    expect((error as Error).message).toContain('already on Pro');
  });

  it('refuses with subscription_open after the canceled period ended but before Stripe closed it', async () => {
    // Arrange
    const context = await setup();
    const ids = await subscribeA(context);
    await context.deliver(
      subscriptionEvent('customer.subscription.updated', ids, T0 + 2 * DAY, {
        cancelAtPeriodEnd: true,
        currentPeriodEndAt: new Date((T0 + 30 * DAY) * 1000).toISOString(),
      }),
    );
    context.clock.set((T0 + 30 * DAY) * 1000);

    // Act
    const view = await context.billing.getBillingView('acct-a');
    const error = await context.billing.startCheckout('acct-a').catch((caught: unknown) => caught);

    // Assert
    expect(view.plan).toBe('free');
    expect(error).toBeInstanceOf(SubscriptionStillOpenError);
    expect((error as SubscriptionStillOpenError).code).toBe('subscription_open');
    expect((error as Error).message).toContain('previous subscription is still open');
  });

  it('expires the open Checkout Sessions of the customer before starting a new one', async () => {
    const { billing, gateway } = await setup();

    await billing.startCheckout('acct-a');
    await billing.startCheckout('acct-a');

    expect(gateway.expiredCheckoutsOf).toEqual(['cus_fake1', 'cus_fake1']);
    expect(gateway.checkoutSessions).toHaveLength(2);
  });

  it('refuses with subscription_open when Stripe has a subscription its webhooks have not told yet', async () => {
    // Arrange: another tab's Checkout was paid; no webhook has arrived
    const { billing, gateway } = await setup();
    await billing.startCheckout('acct-a');
    gateway.openSubscriptions.set('cus_fake1', ['sub_other_tab']);

    // Act
    const error = await billing.startCheckout('acct-a').catch((caught: unknown) => caught);

    // Assert
    expect(error).toBeInstanceOf(SubscriptionStillOpenError);
    expect((error as Error).message).toContain('paid in another tab');
    expect(gateway.checkoutSessions).toHaveLength(1);
  });

  it('allows a new checkout once the previous subscription is deleted', async () => {
    const context = await setup();
    const ids = await subscribeA(context);
    await context.deliver(subscriptionEvent('customer.subscription.deleted', ids, T0 + 3 * DAY));

    await expect(context.billing.startCheckout('acct-a')).resolves.toHaveProperty('url');
  });
});

describe('openPortal', () => {
  it('refuses with no_billing_customer before the first checkout', async () => {
    const { billing } = await setup();

    const error = await billing.openPortal('acct-a').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(NoBillingCustomerError);
    expect((error as NoBillingCustomerError).code).toBe('no_billing_customer');
    expect((error as Error).message).toContain('Upgrade to Pro first');
  });

  it("opens the portal for the account's own customer", async () => {
    const { billing, gateway } = await setup();
    await billing.startCheckout('acct-a');

    await billing.openPortal('acct-a');

    expect(gateway.portalSessions).toEqual([
      { customerId: 'cus_fake1', returnUrl: 'https://app.example/settings/billing' },
    ]);
  });
});

describe('handleWebhook', () => {
  it('applies checkout + subscription events: the account is Pro on the item the proxy reads', async () => {
    const context = await setup();

    await subscribeA(context);

    const view = await proxyViewOf(context.accounts, 'digest-acct-a');
    expect(view?.account.plan).toBe('pro');
    expect(await context.billing.getBillingView('acct-a')).toMatchObject({
      plan: 'pro',
      status: 'active',
      cancelAtPeriodEnd: false,
    });
  });

  it('applies a redelivered event once and reports the duplicate', async () => {
    const context = await setup();
    const ids = await subscribeA(context);
    const cancel = subscriptionEvent('customer.subscription.updated', ids, T0 + DAY, {
      cancelAtPeriodEnd: true,
    });

    const first = await context.deliver(cancel);
    const version = (await context.accounts.getBillingRecord('acct-a'))?.version;
    const second = await context.deliver(cancel);

    expect(first).toEqual({
      outcome: 'applied',
      eventId: cancel.eventId,
      accountId: 'acct-a',
      canceledDuplicates: [],
    });
    expect(second).toEqual({ outcome: 'duplicate', eventId: cancel.eventId });
    expect((await context.accounts.getBillingRecord('acct-a'))?.version).toBe(version);
  });

  it('acknowledges an older event without changing anything', async () => {
    const context = await setup();
    const ids = await subscribeA(context);
    await context.deliver(subscriptionEvent('customer.subscription.deleted', ids, T0 + 5 * DAY));

    const late = await context.deliver(
      subscriptionEvent('customer.subscription.updated', ids, T0 + 2 * DAY),
    );

    expect(late.outcome).toBe('unchanged');
    expect((await context.billing.getBillingView('acct-a')).plan).toBe('free');
  });

  it('saves even an event that changes nothing, since the save also refreshes what the proxy reads', async () => {
    // Arrange: a crash after an earlier delivery's save could have left the proxy's view stale
    const context = await setup();
    const ids = await subscribeA(context);
    await context.deliver(subscriptionEvent('customer.subscription.deleted', ids, T0 + 5 * DAY));
    const saves: string[] = [];
    const save = context.accounts.saveBillingState.bind(context.accounts);
    context.accounts.saveBillingState = (accountId, next, expectedVersion) => {
      saves.push(accountId);
      return save(accountId, next, expectedVersion);
    };

    // Act
    const late = await context.deliver(
      subscriptionEvent('customer.subscription.updated', ids, T0 + 2 * DAY),
    );

    // Assert
    expect(late.outcome).toBe('unchanged');
    expect(saves).toEqual(['acct-a']);
  });

  it("never changes account B for an event naming A, nor A for an event carrying B's customer", async () => {
    // Arrange
    const context = await setup();
    const idsA = await subscribeA(context);
    await context.billing.startCheckout('acct-b');
    const before = await context.accounts.getBillingRecord('acct-b');

    // Act: A's subscription event, and a forged one naming B with A's customer
    await context.deliver(
      subscriptionEvent('customer.subscription.deleted', idsA, T0 + DAY, { eventId: 'evt_del_a' }),
    );
    const forged = await context.deliver(
      subscriptionEvent(
        'customer.subscription.created',
        { ...idsA, accountId: 'acct-b' },
        T0 + DAY,
      ),
    );

    // Assert
    expect(forged).toMatchObject({ outcome: 'ignored', reason: 'customer_mismatch' });
    expect(await context.accounts.getBillingRecord('acct-b')).toEqual(before);
    expect((await context.billing.getBillingView('acct-a')).status).toBe('canceled');
  });

  it('ignores events naming an unknown account, or none', async () => {
    const context = await setup();
    const ids = { accountId: 'ghost', customerId: 'cus_x', subscriptionId: 'sub_x' };

    expect(await context.deliver(checkoutCompleted(ids, T0))).toMatchObject({
      outcome: 'ignored',
      reason: 'unknown_account',
    });
    expect(
      await context.deliver(
        subscriptionEvent('customer.subscription.created', ids, T0, { metadataAccountId: null }),
      ),
    ).toMatchObject({ outcome: 'ignored', reason: 'no_account_reference' });
  });

  it('rejects a bad signature with InvalidWebhookSignatureError and changes nothing', async () => {
    const context = await setup();
    await context.billing.startCheckout('acct-a');
    const customerId = (await context.accounts.getBillingRecord('acct-a'))?.billing
      .stripeCustomerId;
    const event = checkoutCompleted(
      { accountId: 'acct-a', customerId: customerId ?? '', subscriptionId: 'sub_a' },
      T0,
    );

    await expect(context.deliver(event, 't=1,v1=forged')).rejects.toBeInstanceOf(
      InvalidWebhookSignatureError,
    );

    expect((await context.billing.getBillingView('acct-a')).plan).toBe('free');
    expect(
      await context.accounts.isBillingEventProcessed(event.eventId, context.clock.nowMs()),
    ).toBe(false);
  });
});

describe('one subscription per account', () => {
  /** A second subscription of acct-a, paid in another tab a second after sub_a. */
  async function secondSubscription(context: Awaited<ReturnType<typeof setup>>) {
    const ids = await subscribeA(context);
    const second = { ...ids, subscriptionId: 'sub_b', subscriptionCreatedEpochSeconds: T0 + 1 };
    return { first: ids, second };
  }

  it('cancels a second live subscription with a full refund and keeps the first', async () => {
    const context = await setup();
    const { second } = await secondSubscription(context);

    await context.deliver(checkoutCompleted(second, T0 + 1));
    const outcome = await context.deliver(
      subscriptionEvent('customer.subscription.created', second, T0 + 1),
    );

    expect(outcome).toMatchObject({ outcome: 'applied', canceledDuplicates: ['sub_b'] });
    expect(context.gateway.canceledWithRefund).toEqual(['sub_b']);
    expect(await context.billing.getBillingView('acct-a')).toMatchObject({
      plan: 'pro',
      status: 'active',
    });
  });

  it('keeps Pro from the first after the second one is deleted, and cancels nothing more', async () => {
    const context = await setup();
    const { second } = await secondSubscription(context);
    await context.deliver(subscriptionEvent('customer.subscription.created', second, T0 + 1));

    const outcome = await context.deliver(
      subscriptionEvent('customer.subscription.deleted', second, T0 + 2),
    );

    expect(outcome).toMatchObject({ canceledDuplicates: [] });
    expect(context.gateway.canceledWithRefund).toEqual(['sub_b']);
    expect((await proxyViewOf(context.accounts, 'digest-acct-a'))?.account.plan).toBe('pro');
  });

  it('keeps the older one when the newer one was known first (any delivery order, same outcome)', async () => {
    // Arrange: sub_b's events arrive before anything about the older sub_a
    const context = await setup();
    await context.billing.startCheckout('acct-a');
    const customerId = (await context.accounts.getBillingRecord('acct-a'))?.billing
      .stripeCustomerId;
    const a = { accountId: 'acct-a', customerId: customerId ?? '', subscriptionId: 'sub_a' };
    const b = { ...a, subscriptionId: 'sub_b', subscriptionCreatedEpochSeconds: T0 + 1 };
    await context.deliver(subscriptionEvent('customer.subscription.created', b, T0 + 1));

    // Act
    await context.deliver(subscriptionEvent('customer.subscription.created', a, T0));

    // Assert
    expect(context.gateway.canceledWithRefund).toEqual(['sub_b']);
  });

  it('leaves the event unprocessed when the cancellation fails, so Stripe retries it', async () => {
    // Arrange
    const context = await setup();
    const { second } = await secondSubscription(context);
    context.gateway.cancelFailure = new Error('Stripe is down');
    const created = subscriptionEvent('customer.subscription.created', second, T0 + 1);

    // Act
    const failed = await context.deliver(created).catch((caught: unknown) => caught);
    context.gateway.cancelFailure = undefined;
    const retried = await context.deliver(created);

    // Assert
    expect(failed).toBeInstanceOf(Error);
    expect(retried).toMatchObject({ outcome: 'unchanged', canceledDuplicates: ['sub_b'] });
    expect(context.gateway.canceledWithRefund).toEqual(['sub_b']);
    expect(
      await context.accounts.isBillingEventProcessed(created.eventId, context.clock.nowMs()),
    ).toBe(true);
  });
});
