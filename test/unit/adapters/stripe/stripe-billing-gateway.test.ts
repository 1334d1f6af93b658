import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { StripeBillingGateway } from '#adapters/stripe/stripe-billing-gateway.ts';
import { InvalidWebhookSignatureError, MalformedWebhookError } from '#core/errors.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';

const SECRET = 'whsec_test_secret';
const NOW_SECONDS = 1_795_000_000;

function gateway(options: { toleranceSeconds?: number } = {}) {
  const clock = new FakeClock({ startMs: NOW_SECONDS * 1000 });
  return {
    clock,
    gateway: new StripeBillingGateway({
      client: new Stripe('sk_test_offline'),
      webhookSecret: SECRET,
      clock,
      ...(options.toleranceSeconds === undefined
        ? {}
        : { webhookToleranceSeconds: options.toleranceSeconds }),
    }),
  };
}

function stripeEvent(type: string, object: Record<string, unknown>, id = 'evt_1'): string {
  return JSON.stringify({
    id,
    object: 'event',
    api_version: Stripe.API_VERSION,
    created: NOW_SECONDS - 5,
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  });
}

const SUBSCRIPTION = {
  id: 'sub_1',
  object: 'subscription',
  customer: 'cus_1',
  created: NOW_SECONDS - 3600,
  status: 'active',
  cancel_at_period_end: true,
  metadata: { accountId: 'acct-a' },
  items: {
    object: 'list',
    data: [{ id: 'si_1', object: 'subscription_item', current_period_end: NOW_SECONDS + 3600 }],
  },
};

const sign = (payload: string, options: { secret?: string; timestamp?: number } = {}) =>
  Stripe.webhooks.generateTestHeaderString({
    payload,
    secret: options.secret ?? SECRET,
    timestamp: options.timestamp ?? NOW_SECONDS,
  });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('StripeBillingGateway.verifyWebhook', () => {
  const payload = stripeEvent('customer.subscription.updated', SUBSCRIPTION);

  it('accepts a body signed with the webhook secret', async () => {
    const { gateway: stripe } = gateway();

    const event = await stripe.verifyWebhook(payload, sign(payload));

    expect(event).toEqual({
      type: 'customer.subscription.updated',
      eventId: 'evt_1',
      createdEpochSeconds: NOW_SECONDS - 5,
      metadataAccountId: 'acct-a',
      customerId: 'cus_1',
      subscriptionId: 'sub_1',
      subscriptionCreatedEpochSeconds: NOW_SECONDS - 3600,
      status: 'active',
      currentPeriodEndAt: new Date((NOW_SECONDS + 3600) * 1000).toISOString(),
      cancelAtPeriodEnd: true,
    });
  });

  it('rejects a signature made with another secret', async () => {
    const { gateway: stripe } = gateway();

    const error = await rejection(
      stripe.verifyWebhook(payload, sign(payload, { secret: 'whsec_other' })),
    );

    expect(error).toBeInstanceOf(InvalidWebhookSignatureError);
    expect((error as InvalidWebhookSignatureError).code).toBe('invalid_webhook_signature');
  });

  it('rejects a tampered body', async () => {
    const { gateway: stripe } = gateway();
    const header = sign(payload);
    const tampered = payload.replace('acct-a', 'acct-b');

    await expect(stripe.verifyWebhook(tampered, header)).rejects.toBeInstanceOf(
      InvalidWebhookSignatureError,
    );
  });

  it('rejects a timestamp older than the tolerance, and accepts one just inside it', async () => {
    const { gateway: stripe } = gateway({ toleranceSeconds: 300 });

    await expect(
      stripe.verifyWebhook(payload, sign(payload, { timestamp: NOW_SECONDS - 301 })),
    ).rejects.toBeInstanceOf(InvalidWebhookSignatureError);
    await expect(
      stripe.verifyWebhook(payload, sign(payload, { timestamp: NOW_SECONDS - 300 })),
    ).resolves.toMatchObject({ eventId: 'evt_1' });
  });

  it('rejects a timestamp dated further ahead than the tolerance, and accepts one just inside it', async () => {
    const { gateway: stripe } = gateway({ toleranceSeconds: 300 });

    const ahead = await rejection(
      stripe.verifyWebhook(payload, sign(payload, { timestamp: NOW_SECONDS + 301 })),
    );

    expect(ahead).toBeInstanceOf(InvalidWebhookSignatureError);
    expect((ahead as Error).message).toMatch(/future/);
    await expect(
      stripe.verifyWebhook(payload, sign(payload, { timestamp: NOW_SECONDS + 300 })),
    ).resolves.toMatchObject({ eventId: 'evt_1' });
  });

  it.each([
    ['a body that is not JSON', 'not json {'],
    ['an event without data', JSON.stringify({ id: 'evt_1', created: 1, type: 'invoice.paid' })],
    ['a null data.object', stripeEvent('customer.subscription.updated', null as never)],
    [
      'a subscription without its status',
      stripeEvent('customer.subscription.updated', { ...SUBSCRIPTION, status: undefined }),
    ],
    [
      'a subscription whose created is text',
      stripeEvent('customer.subscription.created', { ...SUBSCRIPTION, created: 'yesterday' }),
    ],
    [
      'a checkout whose customer is a number',
      stripeEvent('checkout.session.completed', {
        mode: 'subscription',
        customer: 42,
        subscription: 'sub_1',
        payment_status: 'paid',
      }),
    ],
    [
      'an invoice whose parent is text',
      stripeEvent('invoice.paid', { customer: 'cus_1', parent: 'sub_1' }),
    ],
  ])('refuses %s with a valid signature as malformed (400), not a crash', async (_label, body) => {
    const { gateway: stripe } = gateway();

    const error = await rejection(stripe.verifyWebhook(body, sign(body)));

    expect(error).toBeInstanceOf(MalformedWebhookError);
    expect((error as MalformedWebhookError).code).toBe('invalid_webhook_payload');
  });

  it('rejects a missing, empty or malformed header', async () => {
    const { gateway: stripe } = gateway();

    for (const header of [undefined, '', 'garbage', 't=1']) {
      await expect(stripe.verifyWebhook(payload, header)).rejects.toBeInstanceOf(
        InvalidWebhookSignatureError,
      );
    }
  });

  it('refuses a tolerance of 0, which would disable the replay window', () => {
    expect(
      () =>
        new StripeBillingGateway({
          client: new Stripe('sk_test_offline'),
          webhookSecret: SECRET,
          webhookToleranceSeconds: 0,
        }),
    ).toThrow(RangeError);
  });
});

describe('StripeBillingGateway event mapping', () => {
  const verify = async (type: string, object: Record<string, unknown>) => {
    const payload = stripeEvent(type, object);
    return gateway().gateway.verifyWebhook(payload, sign(payload));
  };

  it('maps a subscription-mode checkout session', async () => {
    const event = await verify('checkout.session.completed', {
      id: 'cs_1',
      object: 'checkout.session',
      mode: 'subscription',
      client_reference_id: 'acct-a',
      metadata: { accountId: 'acct-a' },
      customer: 'cus_1',
      subscription: 'sub_1',
      payment_status: 'paid',
    });

    expect(event).toMatchObject({
      type: 'checkout.session.completed',
      clientReferenceId: 'acct-a',
      metadataAccountId: 'acct-a',
      customerId: 'cus_1',
      subscriptionId: 'sub_1',
      paid: true,
    });
  });

  it('maps an invoice through parent.subscription_details', async () => {
    const event = await verify('invoice.payment_failed', {
      id: 'in_1',
      object: 'invoice',
      customer: 'cus_1',
      parent: {
        type: 'subscription_details',
        subscription_details: { metadata: { accountId: 'acct-a' }, subscription: 'sub_1' },
      },
    });

    expect(event).toMatchObject({
      type: 'invoice.payment_failed',
      metadataAccountId: 'acct-a',
      customerId: 'cus_1',
      subscriptionId: 'sub_1',
    });
  });

  it('maps an unknown subscription status to unpaid (no Pro), and other types to unhandled', async () => {
    expect(
      await verify('customer.subscription.updated', { ...SUBSCRIPTION, status: 'brand_new' }),
    ).toMatchObject({ status: 'unpaid' });
    expect(await verify('charge.succeeded', { id: 'ch_1', object: 'charge' })).toMatchObject({
      type: 'unhandled',
      stripeType: 'charge.succeeded',
    });
    expect(
      await verify('checkout.session.completed', { id: 'cs_2', mode: 'payment' }),
    ).toMatchObject({ type: 'unhandled' });
  });
});
