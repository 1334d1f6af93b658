import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SUBSCRIPTION_STATUSES } from '#core/billing/billing-event.ts';
import {
  type BillingState,
  type EventMark,
  effectivePlan,
  proUntilMs,
} from '#core/billing/billing-state.ts';
import { PLANS } from '#core/billing/plans.ts';

/** Any instant a JavaScript Date can hold. */
const MAX_DATE_MS = 8.64e15;
const instant = fc.integer({ min: -MAX_DATE_MS, max: MAX_DATE_MS });
/** Instants near the ones the generated billing states name, where an off-by-one would hide. */
const SOME_PERIOD_END_MS = Date.parse('2026-12-24T10:00:00.000Z');

const mark: fc.Arbitrary<EventMark> = fc.record({
  createdEpochSeconds: fc.integer({ min: 1_795_000_000, max: 1_795_000_005 }),
  rank: fc.integer({ min: 0, max: 5 }),
  eventId: fc.constantFrom('evt_a', 'evt_b', 'evt_c'),
});
const subscriptionId = fc.constantFrom('sub_1', 'sub_2');
const periodEnd = fc.oneof(
  fc.constant(null),
  fc.constant('not a date'),
  fc
    .integer({ min: -1000, max: 1000 })
    .map((offsetMs) => new Date(SOME_PERIOD_END_MS + offsetMs).toISOString()),
  fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
);

/** The registers of one subscription, each present or not. */
const history = fc.record(
  {
    snapshot: fc.record({
      subscriptionId,
      subscriptionCreatedEpochSeconds: fc.integer({ min: 1_795_000_000, max: 1_795_000_002 }),
      status: fc.constantFrom(...SUBSCRIPTION_STATUSES),
      currentPeriodEndAt: periodEnd,
      cancelAtPeriodEnd: fc.boolean(),
      mark,
    }),
    checkout: fc.record({ subscriptionId, mark }),
    lastInvoice: fc.record({
      subscriptionId,
      outcome: fc.constantFrom('paid' as const, 'payment_failed' as const),
      mark,
    }),
  },
  { requiredKeys: [] },
);

/** Up to two subscriptions, so "Pro while any one grants it" meets every combination. */
const billing: fc.Arbitrary<BillingState> = fc.record(
  {
    stripeCustomerId: fc.constant('cus_1'),
    subscriptions: fc.dictionary(subscriptionId, history, { maxKeys: 2 }),
  },
  { requiredKeys: [] },
);

const account = fc.record({ plan: fc.constantFrom(...PLANS), billing }, { requiredKeys: ['plan'] });

describe('proUntilMs', () => {
  it('is Pro exactly before it: effectivePlan(account, t) === (t < proUntilMs ? pro : free)', () => {
    fc.assert(
      fc.property(
        account,
        fc.oneof(
          instant,
          fc.integer({ min: -2000, max: 2000 }).map((d) => SOME_PERIOD_END_MS + d),
        ),
        (generated, nowMs) => {
          const expected = nowMs < proUntilMs(generated) ? 'pro' : 'free';
          expect(effectivePlan(generated, nowMs)).toBe(expected);
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('ends Pro at the end of a period set to cancel, to the millisecond', () => {
    const canceling = {
      plan: 'pro' as const,
      billing: {
        subscriptions: {
          sub_1: {
            snapshot: {
              subscriptionId: 'sub_1',
              subscriptionCreatedEpochSeconds: 1_795_000_000,
              status: 'active' as const,
              currentPeriodEndAt: new Date(SOME_PERIOD_END_MS).toISOString(),
              cancelAtPeriodEnd: true,
              mark: { createdEpochSeconds: 1_795_000_000, rank: 4, eventId: 'evt_1' },
            },
          },
        },
      },
    };
    expect(proUntilMs(canceling)).toBe(SOME_PERIOD_END_MS);
    expect(effectivePlan(canceling, SOME_PERIOD_END_MS - 1)).toBe('pro');
    expect(effectivePlan(canceling, SOME_PERIOD_END_MS)).toBe('free');
  });
});
