// Checkout, portal and webhooks end to end: the local Stripe stand-in, the real `stripe` SDK in
// StripeBillingGateway, the billing service and DynamoAccountStore on dynalite. A tiny node:http
// receiver stands in for the stripe-webhook Lambda (raw body + Stripe-Signature → handleWebhook).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAccountStore } from '#adapters/dynamodb/dynamo-account-store.ts';
import { DynamoBillingStore } from '#adapters/dynamodb/dynamo-billing-store.ts';
import { DynamoMetrionKeyStore } from '#adapters/dynamodb/dynamo-metrion-key-store.ts';
import { DynamoProxyAdmission } from '#adapters/dynamodb/dynamo-proxy-admission.ts';
import { StripeBillingGateway } from '#adapters/stripe/stripe-billing-gateway.ts';
import { SystemClock } from '#adapters/system/system-clock.ts';
import {
  type BillingService,
  createBillingService,
  type WebhookOutcome,
} from '#core/billing/billing-service.ts';
import { currentSubscription } from '#core/billing/billing-state.ts';
import { InvalidWebhookSignatureError } from '#core/errors.ts';
import { type RunningStripeStandIn, startStripeStandIn } from '#local/stripe-stand-in.ts';
import { testAccount, UNOPENED_SEALED_SECRET } from '../../fixtures/account.ts';
import { proxyViewOf } from '../../fixtures/admission.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../../fixtures/dynalite.ts';

const WEBHOOK_SECRET = 'whsec_local_integration';
const APP = 'http://app.localhost';
/** Plays the stripe-webhook Lambda: 400 on a bad signature, 500 on anything else unexpected. */
async function startWebhookReceiver(
  handle: (rawBody: string, signature: string | undefined) => Promise<WebhookOutcome>,
  outcomes: WebhookOutcome[],
): Promise<{ server: Server; url: string }> {
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const signature = request.headers['stripe-signature'];
    try {
      outcomes.push(
        await handle(
          Buffer.concat(chunks).toString('utf8'),
          typeof signature === 'string' ? signature : undefined,
        ),
      );
      response.writeHead(200).end();
    } catch (error) {
      response.writeHead(error instanceof InvalidWebhookSignatureError ? 400 : 500).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook` };
}

describe('billing through the local Stripe stand-in', () => {
  let dynalite: DynaliteFixture;
  let standIn: RunningStripeStandIn;
  let standInSkewMs = 0;
  let receiver: Server;
  let receiverUrl: string;
  let accounts: DynamoAccountStore;
  let billingRecords: DynamoBillingStore;
  let admission: DynamoProxyAdmission;
  /** The real `stripe` SDK on the stand-in: what Stripe would bill. */
  let client: Stripe;
  let billing: BillingService;
  const outcomes: WebhookOutcome[] = [];

  beforeAll(async () => {
    dynalite = await startDynaliteFixture();
    accounts = new DynamoAccountStore({
      client: dynalite.documentClient,
      tableName: dynalite.tableNames.accounts,
    });
    billingRecords = new DynamoBillingStore({
      client: dynalite.documentClient,
      tableName: dynalite.tableNames.accounts,
    });
    admission = new DynamoProxyAdmission({
      client: dynalite.documentClient,
      tableName: dynalite.tableNames.accounts,
    });
    for (const id of ['acct-a', 'acct-b']) {
      await accounts.createAccount(testAccount(id), {
        digest: `digest-${id}`,
        sealed: UNOPENED_SEALED_SECRET,
      });
    }
    standIn = await startStripeStandIn({
      webhookUrl: 'http://127.0.0.1:9/',
      webhookSecret: WEBHOOK_SECRET,
      nowMs: () => Date.now() + standInSkewMs,
    });
    client = new Stripe('sk_test_local', {
      host: standIn.host,
      port: standIn.port,
      protocol: 'http',
    });
    billing = createBillingService({
      accounts,
      metrionKeys: new DynamoMetrionKeyStore({
        client: dynalite.documentClient,
        tableName: dynalite.tableNames.accounts,
      }),
      billingRecords,
      requestCounts: admission,
      gateway: new StripeBillingGateway({ client, webhookSecret: WEBHOOK_SECRET }),
      clock: new SystemClock(),
      config: {
        proPriceId: 'price_pro_local',
        proMonthlyPriceUsd: '29.00',
        checkoutSuccessUrl: `${APP}/settings/billing?checkout=success`,
        checkoutCancelUrl: `${APP}/settings/billing`,
        portalReturnUrl: `${APP}/settings/billing`,
      },
    });
    const started = await startWebhookReceiver(billing.handleWebhook, outcomes);
    receiver = started.server;
    receiverUrl = started.url;
    standIn.setWebhookUrl(receiverUrl);
  });

  afterAll(async () => {
    await standIn?.stop();
    receiver?.closeAllConnections();
    await new Promise((resolve) => receiver?.close(resolve));
    await dynalite?.close();
  });

  const eventsOfType = (type: string) => standIn.events.filter((event) => event.type === type);

  it('upgrades through Checkout, cancels at period end through the portal, then ends', async () => {
    // Arrange
    const bBefore = await billingRecords.getBillingRecord('acct-b');
    const { url: checkoutUrl } = await billing.startCheckout('acct-a');
    const checkoutPage = await fetch(checkoutUrl);

    // Act: the Subscribe button
    const subscribed = await fetch(checkoutUrl, { method: 'POST', redirect: 'manual' });

    // Assert: redirected to the Plan page, webhooks delivered and applied, A is Pro
    expect(checkoutPage.status).toBe(200);
    expect(await checkoutPage.text()).toContain('>Subscribe</button>');
    expect(subscribed.status).toBe(303);
    expect(subscribed.headers.get('location')).toBe(`${APP}/settings/billing?checkout=success`);
    expect(standIn.events.map((event) => [event.type, event.deliveryStatus])).toEqual([
      ['checkout.session.completed', 200],
      ['customer.subscription.created', 200],
      ['invoice.paid', 200],
    ]);
    const pro = await billing.getBillingView('acct-a');
    expect(pro).toMatchObject({ plan: 'pro', status: 'active', cancelAtPeriodEnd: false });
    const periodEndMs = Date.parse(pro.currentPeriodEndAt ?? '');
    expect(periodEndMs - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect((await proxyViewOf(admission, 'digest-acct-a'))?.account.plan).toBe('pro');
    await expect(billing.startCheckout('acct-a')).rejects.toMatchObject({ code: 'already_pro' });

    // Act: Cancel plan in the portal
    const { url: portalUrl } = await billing.openPortal('acct-a');
    const portalPage = await (await fetch(portalUrl)).text();
    const canceled = await fetch(portalUrl, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'action=cancel',
    });

    // Assert: still Pro until the period ends
    expect(portalPage).toContain('>Cancel plan</button>');
    expect(canceled.status).toBe(303);
    expect(canceled.headers.get('location')).toBe(`${APP}/settings/billing`);
    expect(await billing.getBillingView('acct-a')).toMatchObject({
      plan: 'pro',
      cancelAtPeriodEnd: true,
      currentPeriodEndAt: pro.currentPeriodEndAt,
    });

    // Act: the period ends (cancel_now stands in for Stripe deleting it at period end)
    await fetch(portalUrl, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'action=cancel_now',
    });

    // Assert: Free on the item the proxy reads; B never changed
    expect(await billing.getBillingView('acct-a')).toMatchObject({
      plan: 'free',
      status: 'canceled',
    });
    expect((await proxyViewOf(admission, 'digest-acct-a'))?.account.plan).toBe('free');
    expect(eventsOfType('customer.subscription.deleted')).toHaveLength(1);
    expect(await billingRecords.getBillingRecord('acct-b')).toEqual(bBefore);
    expect(outcomes.every((outcome) => outcome.outcome === 'applied')).toBe(true);
  });

  it('applies a replayed event once', async () => {
    const cancel = eventsOfType('customer.subscription.updated')[0];
    if (cancel === undefined) throw new Error('the first test sends the cancel event');
    const version = (await billingRecords.getBillingRecord('acct-a'))?.version;

    const status = await standIn.redeliver(cancel.id);

    expect(status).toBe(200);
    expect(outcomes.at(-1)).toEqual({ outcome: 'duplicate', eventId: cancel.id });
    expect((await billingRecords.getBillingRecord('acct-a'))?.version).toBe(version);
    expect((await billing.getBillingView('acct-a')).plan).toBe('free');
  });

  it("never lets an event naming account B with A's customer change B", async () => {
    // Arrange: B has its own customer; a correctly signed event claims B with A's subscription
    await billing.startCheckout('acct-b');
    const before = await billingRecords.getBillingRecord('acct-b');
    const aSubscription = JSON.parse(
      eventsOfType('customer.subscription.created')[0]?.payload ?? '{}',
    ).data.object;
    const payload = JSON.stringify({
      id: 'evt_forged_for_b',
      object: 'event',
      created: Math.floor(Date.now() / 1000),
      type: 'customer.subscription.updated',
      data: {
        object: { ...aSubscription, status: 'active', metadata: { accountId: 'acct-b' } },
      },
    });

    // Act
    const response = await fetch(receiverUrl, {
      method: 'POST',
      headers: {
        'stripe-signature': Stripe.webhooks.generateTestHeaderString({
          payload,
          secret: WEBHOOK_SECRET,
        }),
      },
      body: payload,
    });

    // Assert
    expect(response.status).toBe(200);
    expect(outcomes.at(-1)).toMatchObject({ outcome: 'ignored', reason: 'customer_mismatch' });
    expect(await billingRecords.getBillingRecord('acct-b')).toEqual(before);
    expect((await billing.getBillingView('acct-b')).plan).toBe('free');
  });

  it('answers 400 to a webhook with a bad signature and changes nothing', async () => {
    const before = await billingRecords.getBillingRecord('acct-a');
    const payload = eventsOfType('customer.subscription.created')[0]?.payload ?? '{}';

    const forged = await fetch(receiverUrl, {
      method: 'POST',
      headers: {
        'stripe-signature': Stripe.webhooks.generateTestHeaderString({
          payload,
          secret: 'whsec_wrong',
        }),
      },
      body: payload,
    });
    const unsigned = await fetch(receiverUrl, { method: 'POST', body: payload });

    expect([forged.status, unsigned.status]).toEqual([400, 400]);
    expect(await billingRecords.getBillingRecord('acct-a')).toEqual(before);
  });

  it('subscribes again after the previous subscription ended, and keeps Pro while past_due', async () => {
    const { url } = await billing.startCheckout('acct-a');
    await fetch(url, { method: 'POST', redirect: 'manual' });
    const stored = await billingRecords.getBillingRecord('acct-a');
    const subscriptionId = stored && currentSubscription(stored.billing)?.subscriptionId;

    await standIn.setSubscriptionStatus(subscriptionId ?? '', 'past_due');

    expect(await billing.getBillingView('acct-a')).toMatchObject({
      plan: 'pro',
      status: 'past_due',
    });
  });
  /** A fresh account with its Stripe customer, as the first Checkout click leaves it. */
  async function accountWithCustomer(accountId: string): Promise<string> {
    await accounts.createAccount(testAccount(accountId), {
      digest: `digest-${accountId}`,
      sealed: UNOPENED_SEALED_SECRET,
    });
    await billing.startCheckout(accountId);
    const customerId = (await billingRecords.getBillingRecord(accountId))?.billing.stripeCustomerId;
    if (customerId === undefined) throw new Error('no customer stored');
    return customerId;
  }

  const pay = (url: string) => fetch(url, { method: 'POST', redirect: 'manual' });

  /** The payment of a subscription's paid invoice, as Stripe lists it. */
  async function paymentOf(subscriptionId: string | undefined) {
    const invoices = await client.invoices.list({
      subscription: subscriptionId ?? '',
      status: 'paid',
    });
    const payments = await client.invoicePayments.list({ invoice: invoices.data[0]?.id ?? '' });
    const payment = payments.data[0];
    return (
      payment && { intent: String(payment.payment.payment_intent), amount: payment.amount_paid }
    );
  }

  it('expires the older Checkout page when a new one starts, so only one can be paid', async () => {
    // Arrange
    const customer = await accountWithCustomer('acct-tabs');
    const older = await client.checkout.sessions.list({ customer, status: 'open' });
    const { url: newer } = await billing.startCheckout('acct-tabs');

    // Act
    const paidOlder = await pay(older.data[0]?.url ?? '');
    const paidNewer = await pay(newer);

    // Assert
    expect(older.data).toHaveLength(1);
    expect(paidOlder.status).toBe(410);
    expect(paidNewer.status).toBe(303);
    const live = await client.subscriptions.list({ customer, status: 'active' });
    expect(live.data).toHaveLength(1);
    await expect(billing.startCheckout('acct-tabs')).rejects.toMatchObject({ code: 'already_pro' });
  });

  it.each([
    ['in the order they were opened', [0, 1]],
    ['in the reverse order', [1, 0]],
  ])(
    'keeps one subscription and refunds the other when two open sessions are paid %s',
    async (_label, order) => {
      // Arrange: two sessions open at once (two clicks that raced past each other's expiry)
      const accountId = `acct-race-${order.join('')}`;
      const customer = await accountWithCustomer(accountId);
      const urls = [
        (await client.checkout.sessions.list({ customer, status: 'open' })).data[0]?.url ?? '',
        (
          await new StripeBillingGateway({
            client,
            webhookSecret: WEBHOOK_SECRET,
          }).createCheckoutSession({
            accountId,
            customerId: customer,
            priceId: 'price_pro_local',
            successUrl: `${APP}/settings/billing?checkout=success`,
            cancelUrl: `${APP}/settings/billing`,
          })
        ).url,
      ];

      // Act: a person pays one tab, then (a few seconds later) the other
      const [firstPaid, secondPaid] = order.map((index) => urls[index] ?? '');
      await pay(firstPaid ?? '');
      standInSkewMs += 2_000;
      await pay(secondPaid ?? '');

      // Assert: what Stripe bills — one live subscription, the one paid first; the other refunded
      const all = await client.subscriptions.list({ customer, status: 'all' });
      const [kept, canceled] = [...all.data].sort((a, b) => a.created - b.created);
      expect(all.data).toHaveLength(2);
      expect(kept?.status).toBe('active');
      expect(canceled?.status).toBe('canceled');
      const firstSession = (
        await client.checkout.sessions.list({ customer, status: 'complete' })
      ).data.find((session) => session.url === firstPaid);
      expect(firstSession?.subscription).toBe(kept?.id);
      const [refundedPayment, keptPayment] = [
        await paymentOf(canceled?.id),
        await paymentOf(kept?.id),
      ];
      const refunds = (await client.refunds.list()).data.filter((refund) =>
        [refundedPayment?.intent, keptPayment?.intent].includes(String(refund.payment_intent)),
      );
      expect(refunds.map((refund) => [refund.payment_intent, refund.amount])).toEqual([
        [refundedPayment?.intent, refundedPayment?.amount],
      ]);
      // ... and the account: Pro, on the kept one, both tracked
      expect(await billing.getBillingView(accountId)).toMatchObject({
        plan: 'pro',
        status: 'active',
      });
      const stored = await billingRecords.getBillingRecord(accountId);
      expect(Object.keys(stored?.billing.subscriptions ?? {}).sort()).toEqual(
        [kept?.id, canceled?.id].sort(),
      );
      expect(stored && currentSubscription(stored.billing)?.subscriptionId).toBe(kept?.id);
    },
  );
  it('signs with a secret made at each start when none is given, never one from the source', async () => {
    const [one, two] = await Promise.all([
      startStripeStandIn({ webhookUrl: receiverUrl }),
      startStripeStandIn({ webhookUrl: receiverUrl }),
    ]);
    await Promise.all([one.stop(), two.stop()]);

    expect(one.webhookSecret).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);
    expect(two.webhookSecret).not.toBe(one.webhookSecret);
  });
});
