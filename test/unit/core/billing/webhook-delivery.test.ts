// One Stripe delivery against a store whose optimistic saves can lose: how many times it tries,
// what it leaves when it gives up, and how long a processed event id stays remembered.
import { describe, expect, it } from 'vitest';
import { effectivePlan } from '#core/billing/billing-state.ts';
import {
  BillingWriteContentionError,
  handleWebhookDelivery,
} from '#core/billing/webhook-delivery.ts';
import type { BillingStore } from '#core/ports/billing-store.ts';
import { FAKE_VALID_SIGNATURE, FakeBillingGateway } from '../../../fakes/fake-billing-gateway.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';
import { InMemoryAccountStore } from '../../../fakes/in-memory-account-store.ts';
import { testAccount, UNOPENED_SEALED_SECRET } from '../../../fixtures/account.ts';
import { checkoutCompleted } from '../../../fixtures/events/billing-events.ts';

const T0 = 1_795_000_000;
const HOUR_SECONDS = 3600;
const IDS = { accountId: 'acct-a', customerId: 'cus_a', subscriptionId: 'sub_a' };

/** The account's store, whose first `losses` saves lose to a concurrent writer. */
async function storeLosing(losses: number) {
  const accounts = new InMemoryAccountStore();
  await accounts.createAccount(testAccount(IDS.accountId), {
    digest: 'digest-acct-a',
    sealed: UNOPENED_SEALED_SECRET,
  });
  await accounts.setStripeCustomerId(IDS.accountId, IDS.customerId);
  const saves = { attempted: 0 };
  const billingRecords: BillingStore = {
    getBillingRecord: (accountId) => accounts.getBillingRecord(accountId),
    setStripeCustomerId: (accountId, customerId) =>
      accounts.setStripeCustomerId(accountId, customerId),
    isBillingEventProcessed: (eventId, nowMs) => accounts.isBillingEventProcessed(eventId, nowMs),
    recordBillingEventProcessed: (eventId, nowMs, expires) =>
      accounts.recordBillingEventProcessed(eventId, nowMs, expires),
    async saveBillingState(accountId, next, expectedVersion) {
      saves.attempted += 1;
      if (saves.attempted <= losses) return false;
      return accounts.saveBillingState(accountId, next, expectedVersion);
    },
  };
  const clock = new FakeClock({ startMs: (T0 + 60) * 1000 });
  const deps = {
    billingRecords,
    gateway: new FakeBillingGateway(),
    clock,
    processedEventTtlSeconds: HOUR_SECONDS,
  };
  const event = checkoutCompleted(IDS, T0);
  const deliver = () => handleWebhookDelivery(deps, JSON.stringify(event), FAKE_VALID_SIGNATURE);
  return { accounts, clock, saves, event, deliver };
}

describe('handleWebhookDelivery', () => {
  it('applies the event when the fifth save wins after four lost ones', async () => {
    const { accounts, saves, deliver } = await storeLosing(4);

    const outcome = await deliver();

    expect(outcome).toMatchObject({ outcome: 'applied', accountId: 'acct-a' });
    expect(saves.attempted).toBe(5);
    const record = await accounts.getBillingRecord('acct-a');
    expect(record?.plan).toBe('pro');
  });

  it('gives up after five lost saves, for Stripe to retry, without marking the event', async () => {
    const { accounts, clock, saves, event, deliver } = await storeLosing(Number.POSITIVE_INFINITY);

    const error = await deliver().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(BillingWriteContentionError);
    expect((error as Error).name).toBe('BillingWriteContentionError');
    expect((error as Error).message).toContain('should be retried');
    expect(saves.attempted).toBe(5);
    expect(await accounts.isBillingEventProcessed(event.eventId, clock.nowMs())).toBe(false);
    const record = await accounts.getBillingRecord('acct-a');
    expect(record && effectivePlan(record, clock.nowMs())).toBe('free');
  });

  it('answers a redelivery as a duplicate until the remembered id expires', async () => {
    const { clock, deliver } = await storeLosing(0);
    await deliver();

    clock.advance((HOUR_SECONDS - 1) * 1000);
    const withinTtl = await deliver();
    clock.advance(1000);
    const afterTtl = await deliver();

    expect(withinTtl.outcome).toBe('duplicate');
    expect(afterTtl.outcome).toBe('unchanged');
  });
});
