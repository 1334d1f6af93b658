import type { APIGatewayProxyResult } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { BillingEvent } from '#core/billing/billing-event.ts';
import { createBillingService } from '#core/billing/billing-service.ts';
import type { Logger } from '#core/ports/logger.ts';
import { createStripeWebhookHandler } from '#handlers/stripe-webhook.ts';
import { FAKE_VALID_SIGNATURE, FakeBillingGateway } from '../../fakes/fake-billing-gateway.ts';
import { FakeClock } from '../../fakes/fake-clock.ts';
import { InMemoryAccountStore } from '../../fakes/in-memory-account-store.ts';
import { testAccount, UNOPENED_SEALED_SECRET } from '../../fixtures/account.ts';
import { lambdaContext, proxyEvent } from '../../fixtures/events/api-gateway.ts';
import { checkoutCompleted } from '../../fixtures/events/billing-events.ts';

const T0 = 1_795_000_000;
async function setup(options: { failingSaves?: boolean } = {}) {
  const accounts = new InMemoryAccountStore();
  await accounts.createAccount(testAccount('acct-a'), {
    digest: 'digest-a',
    sealed: UNOPENED_SEALED_SECRET,
  });
  await accounts.setStripeCustomerId('acct-a', 'cus_a');
  if (options.failingSaves) {
    accounts.saveBillingState = () => Promise.reject(new Error('DynamoDB throttled'));
  }
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const logger: Logger = {
    info: (message, fields) =>
      lines.push({ level: 'info', message, ...(fields ? { fields } : {}) }),
    warn: (message, fields) =>
      lines.push({ level: 'warn', message, ...(fields ? { fields } : {}) }),
    error: (message, fields) =>
      lines.push({ level: 'error', message, ...(fields ? { fields } : {}) }),
  };
  const billing = createBillingService({
    accounts,
    metrionKeys: accounts,
    billingRecords: accounts,
    requestCounts: accounts,
    gateway: new FakeBillingGateway(),
    clock: new FakeClock({ startMs: (T0 + 60) * 1000 }),
    config: {
      proPriceId: 'price_pro',
      proMonthlyPriceUsd: '29.00',
      checkoutSuccessUrl: 'https://app.example/settings/billing?checkout=success',
      checkoutCancelUrl: 'https://app.example/settings/billing',
      portalReturnUrl: 'https://app.example/settings/billing',
    },
  });
  const handler = createStripeWebhookHandler({ billing, logger });
  const deliver = async (
    event: BillingEvent,
    signature: string | null = FAKE_VALID_SIGNATURE,
    method = 'POST',
  ): Promise<APIGatewayProxyResult> =>
    (await handler(
      proxyEvent({
        method,
        url: '/api/stripe/webhook',
        headers: signature === null ? {} : { 'Stripe-Signature': signature },
        body: JSON.stringify(event),
      }),
      lambdaContext(),
    )) as APIGatewayProxyResult;
  return { accounts, lines, deliver, handler };
}

const checkout = () =>
  checkoutCompleted({ accountId: 'acct-a', customerId: 'cus_a', subscriptionId: 'sub_a' }, T0);

describe('stripe-webhook handler', () => {
  it('applies a valid delivery and answers 200', async () => {
    const { accounts, deliver, lines } = await setup();

    const response = await deliver(checkout());

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ received: true });
    expect((await accounts.getAccount('acct-a'))?.plan).toBe('pro');
    expect(lines.at(-1)).toMatchObject({
      message: 'stripe webhook',
      fields: { outcome: 'applied', accountId: 'acct-a' },
    });
  });

  it('answers 200 to a redelivery and changes nothing', async () => {
    const { accounts, deliver, lines } = await setup();
    const event = checkout();
    await deliver(event);
    const before = await accounts.getBillingRecord('acct-a');

    const response = await deliver(event);

    expect(response.statusCode).toBe(200);
    expect(lines.at(-1)?.fields).toMatchObject({ outcome: 'duplicate' });
    expect(await accounts.getBillingRecord('acct-a')).toEqual(before);
  });

  it('answers 200 to an event it ignores (another customer)', async () => {
    const { accounts, deliver } = await setup();
    const foreign = checkoutCompleted(
      { accountId: 'acct-a', customerId: 'cus_other', subscriptionId: 'sub_x' },
      T0,
    );

    expect((await deliver(foreign)).statusCode).toBe(200);
    expect((await accounts.getAccount('acct-a'))?.plan).toBe('free');
  });

  it.each([
    ['a wrong', 't=1,v1=forged'],
    ['a missing', null],
  ])(
    'answers 400 invalid_webhook_signature to %s signature and changes nothing',
    async (_, signature) => {
      const { accounts, deliver } = await setup();
      const before = await accounts.getBillingRecord('acct-a');

      const response = await deliver(checkout(), signature);

      expect(response.statusCode).toBe(400);
      expect(JSON.parse(response.body).error.code).toBe('invalid_webhook_signature');
      expect(await accounts.getBillingRecord('acct-a')).toEqual(before);
    },
  );

  it('answers 500 when the store fails, so Stripe retries, without exposing the error', async () => {
    const { deliver, lines } = await setup({ failingSaves: true });

    const response = await deliver(checkout());

    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('DynamoDB');
    expect(lines.at(-1)).toMatchObject({
      level: 'error',
      message: 'request failed',
      fields: { status: 500 },
    });
  });

  it('decodes a base64-encoded body (API Gateway) before checking it', async () => {
    const { accounts, handler } = await setup();
    const json = JSON.stringify(checkout());
    const event = {
      ...proxyEvent({ headers: { 'stripe-signature': FAKE_VALID_SIGNATURE } }),
      body: Buffer.from(json).toString('base64'),
      isBase64Encoded: true,
    };

    const response = (await handler(event, lambdaContext())) as APIGatewayProxyResult;

    expect(response.statusCode).toBe(200);
    expect((await accounts.getAccount('acct-a'))?.plan).toBe('pro');
  });

  it('answers 405 to another method', async () => {
    const { deliver } = await setup();
    expect((await deliver(checkout(), FAKE_VALID_SIGNATURE, 'GET')).statusCode).toBe(405);
  });
});
