import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AppliableBillingEvent,
  applyBillingEvent,
  billingEventTarget,
  checkEventCustomer,
} from '#core/billing/apply-billing-event.ts';
import {
  type BillingState,
  billingStatus,
  compareMarks,
  currentSubscription,
  duplicateSubscriptions,
  effectivePlan,
  eventMark,
  hasOpenSubscription,
  planFromBilling,
} from '#core/billing/billing-state.ts';
import {
  checkoutCompleted,
  invoiceEvent,
  subscriptionEvent,
} from '../../../fixtures/events/billing-events.ts';

const CONTEXT = { accountId: 'acct-a', customerId: 'cus_a', subscriptionId: 'sub_1' };
const T0 = 1_795_000_000;
const DAY = 86_400;
const PERIOD_1_END = new Date((T0 + 30 * DAY) * 1000).toISOString();
const PERIOD_2_END = new Date((T0 + 60 * DAY) * 1000).toISOString();
const BEFORE_PERIOD_1_END_MS = (T0 + 10 * DAY) * 1000;

const applyAll = (events: readonly AppliableBillingEvent[], from: BillingState = {}) =>
  events.reduce(applyBillingEvent, from);

/**
 * A realistic lifecycle: checkout, a failed renewal retried successfully, a cancellation at
 * period end, then the end. Stripe stamps several events with the same second.
 */
const LIFECYCLE = [
  checkoutCompleted(CONTEXT, T0),
  subscriptionEvent('customer.subscription.created', CONTEXT, T0, {
    currentPeriodEndAt: PERIOD_1_END,
  }),
  invoiceEvent('invoice.paid', CONTEXT, T0),
  invoiceEvent('invoice.payment_failed', CONTEXT, T0 + 30 * DAY),
  subscriptionEvent('customer.subscription.updated', CONTEXT, T0 + 30 * DAY, {
    status: 'past_due',
    currentPeriodEndAt: PERIOD_1_END,
  }),
  invoiceEvent('invoice.paid', CONTEXT, T0 + 31 * DAY),
  subscriptionEvent('customer.subscription.updated', CONTEXT, T0 + 31 * DAY, {
    currentPeriodEndAt: PERIOD_2_END,
  }),
  subscriptionEvent('customer.subscription.updated', CONTEXT, T0 + 40 * DAY, {
    currentPeriodEndAt: PERIOD_2_END,
    cancelAtPeriodEnd: true,
  }),
  subscriptionEvent('customer.subscription.deleted', CONTEXT, T0 + 60 * DAY, {
    currentPeriodEndAt: PERIOD_2_END,
  }),
] as const;

/** What the newest event of each prefix of LIFECYCLE says (status, cancel flag). */
const SAID_BY_NEWEST = [
  ['active', false],
  ['active', false],
  ['active', false],
  ['past_due', false],
  ['past_due', false],
  ['active', false],
  ['active', false],
  ['active', true],
  ['canceled', false],
] as const;

describe('applyBillingEvent', () => {
  it('makes a paid checkout Pro at once, and the subscription event adds the period end', () => {
    const afterCheckout = applyAll([LIFECYCLE[0]]);
    const afterCreated = applyAll([LIFECYCLE[0], LIFECYCLE[1]]);

    expect(billingStatus(afterCheckout)).toBe('active');
    expect(planFromBilling(afterCheckout, BEFORE_PERIOD_1_END_MS)).toBe('pro');
    expect(currentSubscription(afterCheckout)?.currentPeriodEndAt).toBeNull();
    expect(currentSubscription(afterCreated)?.currentPeriodEndAt).toBe(PERIOD_1_END);
  });

  it('keeps Pro while past_due, and reports the status so the Plan page can warn', () => {
    const state = applyAll(LIFECYCLE.slice(0, 5));

    expect(billingStatus(state)).toBe('past_due');
    expect(planFromBilling(state, BEFORE_PERIOD_1_END_MS)).toBe('pro');
  });

  it('turns active into past_due on a newer failed invoice, and back on a newer paid one', () => {
    const created = applyAll(LIFECYCLE.slice(0, 3));
    const failed = applyBillingEvent(created, LIFECYCLE[3]);
    const paid = applyBillingEvent(failed, invoiceEvent('invoice.paid', CONTEXT, T0 + 31 * DAY));

    expect(billingStatus(failed)).toBe('past_due');
    expect(billingStatus(paid)).toBe('active');
  });

  it('returns the same state object for an event applied before (idempotent)', () => {
    const state = applyAll(LIFECYCLE.slice(0, 5));

    for (const event of LIFECYCLE.slice(0, 5)) expect(applyBillingEvent(state, event)).toBe(state);
  });

  it('never lets an older event undo a newer one', () => {
    const canceled = applyAll([LIFECYCLE[1], LIFECYCLE[8]]);

    const afterLateEvents = applyAll([LIFECYCLE[0], LIFECYCLE[6], LIFECYCLE[7]], canceled);

    expect(currentSubscription(afterLateEvents)).toEqual(currentSubscription(canceled));
    expect(billingStatus(afterLateEvents)).toBe('canceled');
    expect(applyAll([LIFECYCLE[6], LIFECYCLE[7]], canceled)).toBe(canceled);
  });

  it('orders same-second events by lifecycle rank: deleted beats updated beats created', () => {
    const created = subscriptionEvent('customer.subscription.created', CONTEXT, T0);
    const updated = subscriptionEvent('customer.subscription.updated', CONTEXT, T0, {
      cancelAtPeriodEnd: true,
    });
    const deleted = subscriptionEvent('customer.subscription.deleted', CONTEXT, T0);

    expect(billingStatus(applyAll([deleted, updated, created]))).toBe('canceled');
    expect(currentSubscription(applyAll([updated, created]))?.cancelAtPeriodEnd).toBe(true);
  });

  it('breaks a full tie (same second, same type) by event id, the same way in any order', () => {
    const a = subscriptionEvent('customer.subscription.updated', CONTEXT, T0, {
      eventId: 'evt_a',
      cancelAtPeriodEnd: true,
    });
    const b = subscriptionEvent('customer.subscription.updated', CONTEXT, T0, {
      eventId: 'evt_b',
      cancelAtPeriodEnd: false,
    });

    expect(applyAll([a, b])).toEqual(applyAll([b, a]));
    expect(compareMarks(eventMark(a), eventMark(b))).toBeLessThan(0);
    expect(compareMarks(eventMark(a), eventMark(a))).toBe(0);
  });

  it('ignores an invoice outcome of another subscription when deriving the status', () => {
    const state = applyAll([
      LIFECYCLE[1],
      invoiceEvent('invoice.payment_failed', { ...CONTEXT, subscriptionId: 'sub_old' }, T0 + DAY),
    ]);

    expect(billingStatus(state)).toBe('active');
  });

  it('skips a checkout whose payment is still pending', () => {
    const pending = checkoutCompleted(CONTEXT, T0, { paid: false });

    expect(checkEventCustomer(pending, 'cus_a')).toBe('payment_pending');
  });

  it('lets a new subscription supersede an ended one stamped with the same second', () => {
    const old = { ...CONTEXT, subscriptionId: 'sub_old', subscriptionCreatedEpochSeconds: T0 };
    const next = {
      ...CONTEXT,
      subscriptionId: 'sub_new',
      subscriptionCreatedEpochSeconds: T0 + DAY,
    };
    const events = [
      subscriptionEvent('customer.subscription.created', old, T0),
      subscriptionEvent('customer.subscription.deleted', old, T0 + DAY),
      checkoutCompleted(next, T0 + DAY),
      subscriptionEvent('customer.subscription.created', next, T0 + DAY),
      invoiceEvent('invoice.paid', next, T0 + DAY),
    ];

    fc.assert(
      fc.property(
        fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
        (order) => {
          const state = applyAll(order);
          expect(currentSubscription(state)).toMatchObject({
            subscriptionId: 'sub_new',
            status: 'active',
          });
          expect(planFromBilling(state, (T0 + 2 * DAY) * 1000)).toBe('pro');
        },
      ),
    );
  });

  it('counts a paid checkout for a new subscription as active until its own events arrive', () => {
    const old = { ...CONTEXT, subscriptionId: 'sub_old' };
    const ended = applyAll([subscriptionEvent('customer.subscription.deleted', old, T0)]);

    const state = applyBillingEvent(ended, checkoutCompleted(CONTEXT, T0 + DAY));

    expect(currentSubscription(state)).toEqual({
      subscriptionId: 'sub_1',
      status: 'active',
      currentPeriodEndAt: null,
      cancelAtPeriodEnd: false,
      createdEpochSeconds: T0 + DAY,
    });
  });

  describe('order independence (property)', () => {
    const lifecycleIndexes = LIFECYCLE.map((_, index) => index);

    /** Some prefix of the lifecycle, delivered in any order, each event possibly several times. */
    const deliveries = fc.integer({ min: 1, max: LIFECYCLE.length }).chain((count) =>
      fc
        .tuple(
          fc.shuffledSubarray(lifecycleIndexes.slice(0, count), {
            minLength: count,
            maxLength: count,
          }),
          fc.array(fc.integer({ min: 0, max: count - 1 }), { maxLength: 6 }),
        )
        .chain(([permutation, duplicates]) => {
          const all = [...permutation, ...duplicates];
          return fc
            .shuffledSubarray(all, { minLength: all.length, maxLength: all.length })
            .map((order) => ({ count, order }));
        }),
    );

    it('ends in the state the newest event says, whatever the order and duplicates', () => {
      fc.assert(
        fc.property(deliveries, ({ count, order }) => {
          const state = applyAll(order.map((index) => LIFECYCLE[index] as AppliableBillingEvent));
          const inOrder = applyAll(LIFECYCLE.slice(0, count));
          const [status, cancelAtPeriodEnd] = SAID_BY_NEWEST[count - 1] ?? [];

          expect(state).toEqual(inOrder);
          expect(billingStatus(state)).toBe(status);
          expect(currentSubscription(state)?.cancelAtPeriodEnd).toBe(cancelAtPeriodEnd);
        }),
        { numRuns: 300 },
      );
    });

    it('converges on any subset of the lifecycle (lost deliveries), whatever the order', () => {
      const subsets = fc
        .subarray(lifecycleIndexes, { minLength: 1 })
        .chain((subset) =>
          fc.tuple(
            fc.constant(subset),
            fc.shuffledSubarray(subset, { minLength: subset.length, maxLength: subset.length }),
          ),
        );
      fc.assert(
        fc.property(subsets, ([subset, order]) => {
          const pick = (indexes: number[]) =>
            indexes.map((index) => LIFECYCLE[index] as AppliableBillingEvent);

          expect(applyAll(pick(order))).toEqual(applyAll(pick(subset)));
        }),
        { numRuns: 300 },
      );
    });
  });
});

describe('two subscriptions of one account (two Checkout pages paid)', () => {
  const A = { ...CONTEXT, subscriptionId: 'sub_a', subscriptionCreatedEpochSeconds: T0 };
  const B = { ...CONTEXT, subscriptionId: 'sub_b', subscriptionCreatedEpochSeconds: T0 + 1 };
  const paidA = [
    checkoutCompleted(A, T0),
    subscriptionEvent('customer.subscription.created', A, T0),
    invoiceEvent('invoice.paid', A, T0),
  ];
  const paidB = [
    checkoutCompleted(B, T0 + 1),
    subscriptionEvent('customer.subscription.created', B, T0 + 1),
    invoiceEvent('invoice.paid', B, T0 + 1),
  ];
  const deletedA = subscriptionEvent('customer.subscription.deleted', A, T0 + 5);
  const deletedB = subscriptionEvent('customer.subscription.deleted', B, T0 + 2);
  const NOW_MS = (T0 + 10) * 1000;

  /** Every order of `events`: the same state, and what `check` says of it. */
  function inAnyOrder(events: AppliableBillingEvent[], check: (state: BillingState) => void) {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
        (order) => {
          const state = applyAll(order);
          expect(state).toEqual(applyAll(events));
          check(state);
        },
      ),
      { numRuns: 200 },
    );
  }

  it('tracks both, is Pro, and names the newer one as the duplicate, in any order', () => {
    inAnyOrder([...paidA, ...paidB], (state) => {
      expect(Object.keys(state.subscriptions ?? {}).sort()).toEqual(['sub_a', 'sub_b']);
      expect(planFromBilling(state, NOW_MS)).toBe('pro');
      expect(currentSubscription(state)?.subscriptionId).toBe('sub_a');
      expect(duplicateSubscriptions(state)).toEqual(['sub_b']);
    });
  });

  it('keeps Pro from the first once the duplicate is deleted, in any order', () => {
    inAnyOrder([...paidA, ...paidB, deletedB], (state) => {
      expect(planFromBilling(state, NOW_MS)).toBe('pro');
      expect(duplicateSubscriptions(state)).toEqual([]);
      expect(hasOpenSubscription(state)).toBe(true);
    });
  });

  it('stays Pro when the tracked one is canceled while the other still bills', () => {
    inAnyOrder([...paidA, ...paidB, deletedA], (state) => {
      expect(planFromBilling(state, NOW_MS)).toBe('pro');
      expect(currentSubscription(state)?.subscriptionId).toBe('sub_b');
      expect(duplicateSubscriptions(state)).toEqual([]);
    });
  });

  it('is Free once both have ended, in any order', () => {
    inAnyOrder([...paidA, ...paidB, deletedA, deletedB], (state) => {
      expect(planFromBilling(state, NOW_MS)).toBe('free');
      expect(hasOpenSubscription(state)).toBe(false);
      expect(billingStatus(state)).toBe('canceled');
    });
  });

  it('names no duplicate from a checkout alone (its created second is not known yet)', () => {
    const state = applyAll([...paidA, checkoutCompleted(B, T0 + 1)]);

    expect(planFromBilling(state, NOW_MS)).toBe('pro');
    expect(duplicateSubscriptions(state)).toEqual([]);
  });
});

describe('effectivePlan and the period end', () => {
  const canceling = applyAll(LIFECYCLE.slice(0, 8));
  const periodEndMs = Date.parse(PERIOD_2_END);

  it('keeps Pro until the canceled period ends, then Free from that very instant', () => {
    const account = { plan: 'pro' as const, billing: canceling };

    expect(effectivePlan(account, periodEndMs - 1)).toBe('pro');
    expect(effectivePlan(account, periodEndMs)).toBe('free');
  });

  it('keeps Pro past the period end when the subscription renews (not canceling)', () => {
    const renewing = applyAll(LIFECYCLE.slice(0, 7));

    expect(effectivePlan({ plan: 'pro', billing: renewing }, periodEndMs + DAY * 1000)).toBe('pro');
  });

  it('is Free once the subscription is deleted, whatever the clock says', () => {
    const ended = applyAll(LIFECYCLE);

    expect(effectivePlan({ plan: 'pro', billing: ended }, BEFORE_PERIOD_1_END_MS)).toBe('free');
    expect(hasOpenSubscription(ended)).toBe(false);
  });

  it('falls back to the stored plan for an account that never subscribed', () => {
    expect(effectivePlan({ plan: 'free' }, 0)).toBe('free');
    expect(effectivePlan({ plan: 'pro', billing: { stripeCustomerId: 'cus_a' } }, 0)).toBe('pro');
  });

  it('gives no Pro for incomplete, unpaid or paused subscriptions', () => {
    for (const status of ['incomplete', 'unpaid', 'paused', 'incomplete_expired'] as const) {
      const state = applyAll([
        subscriptionEvent('customer.subscription.updated', CONTEXT, T0, { status }),
      ]);
      expect(planFromBilling(state, BEFORE_PERIOD_1_END_MS)).toBe('free');
    }
  });
});

describe('billingEventTarget and checkEventCustomer (tenant safety)', () => {
  it('targets the account named by checkout client_reference_id or metadata', () => {
    expect(billingEventTarget(checkoutCompleted(CONTEXT, T0))).toMatchObject({
      accountId: 'acct-a',
    });
    expect(
      billingEventTarget(checkoutCompleted(CONTEXT, T0, { clientReferenceId: null })),
    ).toMatchObject({ accountId: 'acct-a' });
  });

  it('ignores a checkout whose client_reference_id and metadata disagree', () => {
    const event = checkoutCompleted(CONTEXT, T0, { metadataAccountId: 'acct-b' });

    expect(billingEventTarget(event)).toEqual({ ignored: 'account_reference_mismatch' });
  });

  it('ignores subscription and invoice events without metadata.accountId', () => {
    const sub = subscriptionEvent('customer.subscription.updated', CONTEXT, T0, {
      metadataAccountId: null,
    });
    const invoice = invoiceEvent('invoice.paid', CONTEXT, T0, { metadataAccountId: '' });

    expect(billingEventTarget(sub)).toEqual({ ignored: 'no_account_reference' });
    expect(billingEventTarget(invoice)).toEqual({ ignored: 'no_account_reference' });
    expect(
      billingEventTarget({
        type: 'unhandled',
        stripeType: 'charge.succeeded',
        eventId: 'evt_x',
        createdEpochSeconds: T0,
      }),
    ).toEqual({ ignored: 'unhandled_event_type' });
  });

  it("rejects an event whose customer is not the target account's stored customer", () => {
    const event = subscriptionEvent('customer.subscription.created', CONTEXT, T0);

    expect(checkEventCustomer(event, 'cus_a')).toBeUndefined();
    expect(checkEventCustomer(event, 'cus_b')).toBe('customer_mismatch');
    expect(checkEventCustomer(event, undefined)).toBe('customer_mismatch');
  });

  it('ignores invoices and checkouts that belong to no subscription', () => {
    expect(
      checkEventCustomer(
        invoiceEvent('invoice.paid', CONTEXT, T0, { subscriptionId: null }),
        'cus_a',
      ),
    ).toBe('not_a_subscription');
    expect(
      checkEventCustomer(checkoutCompleted(CONTEXT, T0, { subscriptionId: null }), 'cus_a'),
    ).toBe('not_a_subscription');
  });
});
