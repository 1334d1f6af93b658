// Many webhooks for one account at once, on DynamoDB (dynalite): optimistic saves race, some
// deliveries give up with BillingWriteContentionError (Stripe redelivers those), and none may
// be marked processed unless its state was saved.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAccountStore } from '#adapters/dynamodb/dynamo-account-store.ts';
import { DynamoBillingStore } from '#adapters/dynamodb/dynamo-billing-store.ts';
import { DynamoMetrionKeyStore } from '#adapters/dynamodb/dynamo-metrion-key-store.ts';
import { DynamoProxyAdmission } from '#adapters/dynamodb/dynamo-proxy-admission.ts';
import {
  type AppliableBillingEvent,
  applyBillingEvent,
} from '#core/billing/apply-billing-event.ts';
import type { BillingEvent } from '#core/billing/billing-event.ts';
import {
  BillingWriteContentionError,
  createBillingService,
} from '#core/billing/billing-service.ts';
import type { BillingState } from '#core/billing/billing-state.ts';
import type { BillingStore } from '#core/ports/billing-store.ts';
import { FAKE_VALID_SIGNATURE, FakeBillingGateway } from '../../fakes/fake-billing-gateway.ts';
import { FakeClock } from '../../fakes/fake-clock.ts';
import { testAccount, UNOPENED_SEALED_SECRET } from '../../fixtures/account.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../../fixtures/dynalite.ts';
import {
  checkoutCompleted,
  invoiceEvent,
  subscriptionEvent,
} from '../../fixtures/events/billing-events.ts';

const T0 = 1_795_000_000;
const CUSTOMER = 'cus_concurrent';
let dynalite: DynaliteFixture;
let accounts: DynamoAccountStore;
let metrionKeys: DynamoMetrionKeyStore;
let records: DynamoBillingStore;
let admission: DynamoProxyAdmission;

beforeAll(async () => {
  dynalite = await startDynaliteFixture();
  const table = { client: dynalite.documentClient, tableName: dynalite.tableNames.accounts };
  accounts = new DynamoAccountStore(table);
  metrionKeys = new DynamoMetrionKeyStore(table);
  records = new DynamoBillingStore(table);
  admission = new DynamoProxyAdmission(table);
});
afterAll(async () => {
  await dynalite?.close();
});

async function newAccount(accountId: string): Promise<void> {
  await accounts.createAccount(testAccount(accountId), {
    digest: `digest-${accountId}`,
    sealed: UNOPENED_SEALED_SECRET,
  });
  await records.setStripeCustomerId(accountId, CUSTOMER);
}

function serviceOn(billingRecords: BillingStore) {
  const gateway = new FakeBillingGateway();
  const clock = new FakeClock({ startMs: (T0 + 60) * 1000 });
  const billing = createBillingService({
    accounts,
    metrionKeys,
    billingRecords,
    requestCounts: admission,
    gateway,
    clock,
    config: {
      proPriceId: 'price_pro',
      proMonthlyPriceUsd: '29.00',
      checkoutSuccessUrl: 'https://app.example/settings/billing?checkout=success',
      checkoutCancelUrl: 'https://app.example/settings/billing',
      portalReturnUrl: 'https://app.example/settings/billing',
    },
  });
  const deliver = (event: BillingEvent) =>
    billing.handleWebhook(JSON.stringify(event), FAKE_VALID_SIGNATURE);
  return { billing, gateway, clock, deliver };
}

/** Two subscriptions' worth of events for one account: twelve writers of one item. */
function lifecycleOf(accountId: string): AppliableBillingEvent[] {
  const a = { accountId, customerId: CUSTOMER, subscriptionId: 'sub_a' };
  const b = { ...a, subscriptionId: 'sub_b', subscriptionCreatedEpochSeconds: T0 + 1 };
  return [
    checkoutCompleted(a, T0),
    subscriptionEvent('customer.subscription.created', a, T0),
    invoiceEvent('invoice.paid', a, T0),
    subscriptionEvent('customer.subscription.updated', a, T0 + 10, { cancelAtPeriodEnd: true }),
    subscriptionEvent('customer.subscription.updated', a, T0 + 20),
    invoiceEvent('invoice.payment_failed', a, T0 + 30),
    checkoutCompleted(b, T0 + 1),
    subscriptionEvent('customer.subscription.created', b, T0 + 1),
    invoiceEvent('invoice.paid', b, T0 + 1),
    subscriptionEvent('customer.subscription.deleted', b, T0 + 2),
    invoiceEvent('invoice.paid', a, T0 + 31),
    subscriptionEvent('customer.subscription.updated', a, T0 + 31),
  ];
}

const inOrder = (events: readonly AppliableBillingEvent[]): BillingState =>
  events.reduce(applyBillingEvent, { stripeCustomerId: CUSTOMER });

describe('concurrent webhooks for one account on DynamoDB', () => {
  it('ends in the sequential state once every failed delivery is redelivered', async () => {
    // Arrange
    await newAccount('acct-race');
    const { deliver, clock } = serviceOn(records);
    const events = lifecycleOf('acct-race');

    // Act: all at once, then Stripe's retries of whatever failed, until none fails
    let pending = events;
    for (let round = 0; pending.length > 0 && round < 10; round += 1) {
      const results = await Promise.allSettled(pending.map((event) => deliver(event)));
      pending = pending.filter((_, index) => results[index]?.status === 'rejected');
      for (const result of results) {
        if (result.status === 'rejected') {
          expect(result.reason).toBeInstanceOf(BillingWriteContentionError);
        }
      }
    }

    // Assert
    expect(pending).toEqual([]);
    expect((await records.getBillingRecord('acct-race'))?.billing).toEqual(inOrder(events));
    for (const event of events) {
      expect(await records.isBillingEventProcessed(event.eventId, clock.nowMs())).toBe(true);
    }
  });

  it('never marks an event processed when its save kept losing (BillingWriteContentionError)', async () => {
    // Arrange: every save of this delivery loses to a concurrent writer that got there first
    await newAccount('acct-lost');
    const competitor = serviceOn(records);
    const [first, second] = lifecycleOf('acct-lost');
    if (first === undefined || second === undefined) throw new Error('no events');
    await competitor.deliver(first);
    const alwaysOvertaken: BillingStore = {
      getBillingRecord: (accountId) => records.getBillingRecord(accountId),
      setStripeCustomerId: (accountId, customerId) =>
        records.setStripeCustomerId(accountId, customerId),
      isBillingEventProcessed: (eventId, nowMs) => records.isBillingEventProcessed(eventId, nowMs),
      recordBillingEventProcessed: (eventId, nowMs, expires) =>
        records.recordBillingEventProcessed(eventId, nowMs, expires),
      async saveBillingState(accountId, next, expectedVersion) {
        const current = await records.getBillingRecord(accountId);
        if (current !== undefined) {
          await records.saveBillingState(accountId, current, current.version);
        }
        return records.saveBillingState(accountId, next, expectedVersion);
      },
    };
    const loser = serviceOn(alwaysOvertaken);

    // Act
    const error = await loser.deliver(second).catch((caught: unknown) => caught);

    // Assert: refused for a retry, not marked, and its change is not in the stored state
    expect(error).toBeInstanceOf(BillingWriteContentionError);
    expect(await records.isBillingEventProcessed(second.eventId, loser.clock.nowMs())).toBe(false);
    const stored = await records.getBillingRecord('acct-lost');
    expect(stored?.billing).toEqual(inOrder([first]));
    // The redelivery that Stripe sends then applies it.
    await competitor.deliver(second);
    expect((await records.getBillingRecord('acct-lost'))?.billing).toEqual(
      inOrder([first, second]),
    );
  });
});
