// Billing through the local composition root, as `npm start` runs it: the dashboard API and the
// stripe-webhook function behind the API Gateway emulation, the real `stripe` SDK pointed at the
// Stripe stand-in, whose Checkout and portal pages deliver signed webhooks to
// /api/stripe/webhook. The plan then drives the proxy at once (the `openai` SDK against the cap).
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import OpenAI from 'openai';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STRIPE_WEBHOOK_ROUTE } from '#contracts/billing-api.ts';
import { PLAN_LIMITS } from '#core/billing/plans.ts';
import { monthCounter } from '#core/limits/request-limits.ts';
import type { RunningStripeStandIn } from '#local/stripe-stand-in.ts';
import { FakeClock } from '../../fakes/fake-clock.ts';
import { setDynamoWindowCount } from '../../fixtures/admission.ts';
import { FAKE_OPENAI_API_KEY } from '../../fixtures/fake-openai-server.ts';
import {
  type DashboardApiStack,
  expectApiError,
  expectNoSecretsInLogs,
  expectResponseOf,
  startDashboardApiStack,
  type TestUser,
} from '../support/dashboard-api-stack.ts';

// Starts at real time (Cognito tokens are checked against it) and only ever moves forward.
const clock = new FakeClock({ startMs: Date.now() });
let stack: DashboardApiStack;
let standIn: RunningStripeStandIn;
let alice: TestUser;
let bob: TestUser;
let aliceId: string;
let openai: OpenAI;
const FREE_CAP = PLAN_LIMITS.free.monthlyRequests;

beforeAll(async () => {
  stack = await startDashboardApiStack({ clock });
  if (stack.metrion.stripeStandIn === undefined) throw new Error('no Stripe stand-in started');
  standIn = stack.metrion.stripeStandIn;
  [alice, bob] = [await stack.signUp('alice'), await stack.signUp('bob')];
  aliceId = (await stack.api('/api/me', { as: alice })).json.accountId;
  await stack.api('/api/me', { as: bob });
  await stack.api('/api/settings/providers/openai', {
    method: 'PUT',
    as: alice,
    body: { key: FAKE_OPENAI_API_KEY },
  });
  const metrionKey = (await stack.api('/api/settings/metrion-key', { as: alice })).json.metrionKey;
  openai = new OpenAI({
    apiKey: metrionKey,
    baseURL: stack.metrion.proxyBaseUrls.openai,
    maxRetries: 0,
  });
});

afterAll(async () => {
  await stack?.close();
});

/** Sets Alice's counter of the current UTC month (the Free cap counts the whole month). */
async function setMonthCount(count: number): Promise<void> {
  const { data } = stack.metrion;
  const profile = await data.documentClient.send(
    new GetCommand({
      TableName: data.accountsTable,
      Key: { pk: `ACCOUNT#${aliceId}`, sk: 'PROFILE' },
    }),
  );
  await setDynamoWindowCount(
    { client: data.documentClient, tableName: data.accountsTable },
    String(profile.Item?.metrionKeyDigest),
    monthCounter(clock.nowMs()),
    count,
  );
}

function chat() {
  return openai.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'hi' }],
  });
}

function submitPortal(url: string, action: string) {
  return fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `action=${action}`,
  });
}

describe('Settings > Plan through the local stack', () => {
  it('shows Free with no subscription, and has no portal before the first checkout', async () => {
    const view = await stack.api('/api/billing', { as: alice });
    const portal = await stack.api('/api/billing/portal', { method: 'POST', as: alice });

    expectResponseOf('getBilling', view);
    expect(view.json).toEqual({
      plan: 'free',
      status: 'none',
      currentPeriodEnd: null,
      cancelAtPeriodEnd: false,
      // The local stack's default price; no proxied request yet.
      proMonthlyPriceUsd: '29.00',
      thisMonth: {
        requests: 0,
        resetsAt: expect.stringMatching(/^\d{4}-\d{2}-01T00:00:00\.000Z$/),
      },
    });
    expectApiError(portal, 409, 'no_billing_customer');
  });

  it('upgrades through Checkout: the webhook makes Alice Pro and the openai SDK passes the Free cap', async () => {
    // Arrange: the month is used up on Free
    await setMonthCount(FREE_CAP ?? 0);
    await expect(chat()).rejects.toMatchObject({ status: 429 });
    // The Plan page counts what the cap refused at (the refused request is not counted).
    expect((await stack.api('/api/billing', { as: alice })).json.thisMonth.requests).toBe(FREE_CAP);

    // Act: Upgrade to Pro, then Subscribe on the stand-in's Checkout page
    const checkout = await stack.api('/api/billing/checkout', { method: 'POST', as: alice });
    const subscribed = await fetch(checkout.json.url, { method: 'POST', redirect: 'manual' });

    // Assert
    expectResponseOf('startCheckout', checkout);
    expect(checkout.json.url.startsWith(standIn.url)).toBe(true);
    expect(subscribed.headers.get('location')).toBe(
      `${stack.metrion.url}/settings/billing?checkout=success`,
    );
    expect(standIn.events.map((event) => event.deliveryStatus)).toEqual([200, 200, 200]);
    const view = (await stack.api('/api/billing', { as: alice })).json;
    expect(view).toMatchObject({ plan: 'pro', status: 'active', cancelAtPeriodEnd: false });
    await expect(chat()).resolves.toMatchObject({ object: 'chat.completion' });
    expectApiError(
      await stack.api('/api/billing/checkout', { method: 'POST', as: alice }),
      409,
      'already_pro',
    );
  });

  it('cancels in the portal: Pro until the period end, then Free (and capped) without any webhook', async () => {
    // Arrange
    const portal = await stack.api('/api/billing/portal', { method: 'POST', as: alice });
    expectResponseOf('openBillingPortal', portal);

    // Act: Cancel plan
    const canceled = await submitPortal(portal.json.url, 'cancel');

    // Assert: still Pro, ending at the period end
    expect(canceled.headers.get('location')).toBe(`${stack.metrion.url}/settings/billing`);
    const view = (await stack.api('/api/billing', { as: alice })).json;
    expect(view).toMatchObject({ plan: 'pro', status: 'active', cancelAtPeriodEnd: true });
    const endMs = Date.parse(view.currentPeriodEnd);
    expect(endMs - clock.nowMs()).toBeGreaterThan(29 * 86_400_000);
    const eventsBefore = standIn.events.length;

    // Act: the period ends; Stripe's deletion webhook has not arrived
    clock.set(endMs);
    await setMonthCount(FREE_CAP ?? 0);

    // Assert: Free at once, in the Plan page and in the proxy
    expect((await stack.api('/api/billing', { as: alice })).json).toMatchObject({
      plan: 'free',
      cancelAtPeriodEnd: true,
    });
    await expect(chat()).rejects.toMatchObject({ status: 429 });
    expect(standIn.events).toHaveLength(eventsBefore);
  });

  it("never lets a correctly signed webhook naming Bob with Alice's customer change Bob", async () => {
    // Arrange: Bob gets his own customer; the forged event names Bob with Alice's subscription
    await stack.api('/api/billing/checkout', { method: 'POST', as: bob });
    const bobId = (await stack.api('/api/me', { as: bob })).json.accountId;
    const bobBefore = (await stack.api('/api/billing', { as: bob })).json;
    const created = standIn.events.find((event) => event.type === 'customer.subscription.created');
    const aliceSubscription = JSON.parse(created?.payload ?? '{}').data.object;
    const payload = JSON.stringify({
      id: 'evt_forged_for_bob',
      object: 'event',
      created: Math.floor(clock.nowMs() / 1000),
      type: 'customer.subscription.updated',
      data: {
        object: { ...aliceSubscription, status: 'active', metadata: { accountId: bobId } },
      },
    });
    const post = (secret: string) =>
      fetch(`${stack.metrion.url}${STRIPE_WEBHOOK_ROUTE.path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'stripe-signature': Stripe.webhooks.generateTestHeaderString({
            payload,
            secret,
            timestamp: Math.floor(clock.nowMs() / 1000),
          }),
        },
        body: payload,
      });

    // Act
    const forgedWithWrongSecret = await post('whsec_wrong');
    const signed = await post(standIn.webhookSecret);

    // Assert
    expect(forgedWithWrongSecret.status).toBe(400);
    expect((await forgedWithWrongSecret.json()).error.code).toBe('invalid_webhook_signature');
    expect(signed.status).toBe(200);
    const outcome = stack.logLines.find((line) => line.includes('evt_forged_for_bob'));
    expect(outcome).toContain('customer_mismatch');
    expect((await stack.api('/api/billing', { as: bob })).json).toEqual(bobBefore);
    expect(bobBefore).toMatchObject({ plan: 'free', status: 'none' });
    expectNoSecretsInLogs(stack);
  });

  it('answers a validly signed webhook with a malformed body 400 and logs it, without a 500', async () => {
    // Arrange: Stripe's signature over bodies that are not the events they claim
    const post = (payload: string) =>
      fetch(`${stack.metrion.url}${STRIPE_WEBHOOK_ROUTE.path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'stripe-signature': Stripe.webhooks.generateTestHeaderString({
            payload,
            secret: standIn.webhookSecret,
            timestamp: Math.floor(clock.nowMs() / 1000),
          }),
        },
        body: payload,
      });
    const event = (id: string, object: unknown) =>
      JSON.stringify({
        id,
        object: 'event',
        created: 1,
        type: 'customer.subscription.updated',
        data: { object },
      });

    // Act
    const answers = [
      await post(event('evt_malformed_null', null)),
      await post(event('evt_malformed_status', { id: 'sub_x', status: 42 })),
      await post('{"id": "evt_not_json"'),
    ];

    // Assert
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect((await answer.json()).error.code).toBe('invalid_webhook_payload');
    }
    const refused = stack.logLines.filter(
      (line) => line.includes('stripe webhook refused') && line.includes('invalid_webhook_payload'),
    );
    expect(refused).toHaveLength(3);
    expect(refused.every((line) => JSON.parse(line).level === 'warn')).toBe(true);
  });

  it('refuses a webhook signed further in the future than the tolerance', async () => {
    const payload = JSON.stringify({
      id: 'evt_future',
      object: 'event',
      created: 1,
      type: 'ping',
      data: { object: {} },
    });
    const answer = await fetch(`${stack.metrion.url}${STRIPE_WEBHOOK_ROUTE.path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': Stripe.webhooks.generateTestHeaderString({
          payload,
          secret: standIn.webhookSecret,
          timestamp: Math.floor(clock.nowMs() / 1000) + 3600,
        }),
      },
      body: payload,
    });

    expect(answer.status).toBe(400);
    expect((await answer.json()).error.code).toBe('invalid_webhook_signature');
  });
});
