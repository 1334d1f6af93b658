// The orders the billing state machine relies on (events, snapshots, subscriptions by age) and
// how an invoice outcome adjusts a snapshot's status, on hand-made registers.
import { describe, expect, it } from 'vitest';
import type { SubscriptionStatus } from '#core/billing/billing-event.ts';
import {
  type BillingState,
  compareMarks,
  compareSnapshots,
  type EventMark,
  type InvoiceOutcome,
  knownSubscriptions,
  type SubscriptionSnapshot,
} from '#core/billing/billing-state.ts';

const mark = (createdEpochSeconds: number, rank: number, eventId: string): EventMark => ({
  createdEpochSeconds,
  rank,
  eventId,
});

function snapshot(
  subscriptionId: string,
  status: SubscriptionStatus,
  at: EventMark,
  subscriptionCreatedEpochSeconds = 1_000,
): SubscriptionSnapshot {
  return {
    subscriptionId,
    subscriptionCreatedEpochSeconds,
    status,
    currentPeriodEndAt: '2026-12-31T00:00:00.000Z',
    cancelAtPeriodEnd: false,
    mark: at,
  };
}

describe('compareMarks', () => {
  it('orders by second, then by event kind, then by event id', () => {
    expect(compareMarks(mark(10, 5, 'evt_a'), mark(11, 0, 'evt_a'))).toBeLessThan(0);
    expect(compareMarks(mark(10, 1, 'evt_z'), mark(10, 3, 'evt_a'))).toBeLessThan(0);
    expect(compareMarks(mark(10, 3, 'evt_a'), mark(10, 1, 'evt_z'))).toBeGreaterThan(0);
    expect(compareMarks(mark(10, 2, 'evt_a'), mark(10, 2, 'evt_b'))).toBe(-1);
    expect(compareMarks(mark(10, 2, 'evt_b'), mark(10, 2, 'evt_a'))).toBe(1);
    expect(compareMarks(mark(10, 2, 'evt_a'), mark(10, 2, 'evt_a'))).toBe(0);
  });
});

describe('compareSnapshots', () => {
  it('puts the newer subscription last whatever its event, then the newer event', () => {
    const older = { subscriptionCreatedEpochSeconds: 100, mark: mark(500, 4, 'evt_new') };
    const newer = { subscriptionCreatedEpochSeconds: 200, mark: mark(300, 1, 'evt_old') };

    expect(compareSnapshots(older, newer)).toBeLessThan(0);
    expect(compareSnapshots(newer, older)).toBeGreaterThan(0);
    expect(
      compareSnapshots(
        { subscriptionCreatedEpochSeconds: 100, mark: mark(300, 1, 'evt_a') },
        { subscriptionCreatedEpochSeconds: 100, mark: mark(301, 1, 'evt_a') },
      ),
    ).toBeLessThan(0);
  });
});

describe('knownSubscriptions', () => {
  it('lists subscriptions oldest first, ties broken by id', () => {
    const state: BillingState = {
      subscriptions: {
        sub_c: { snapshot: snapshot('sub_c', 'active', mark(1, 4, 'e1'), 2_000) },
        sub_b: { snapshot: snapshot('sub_b', 'active', mark(1, 4, 'e2'), 1_000) },
        sub_a: { snapshot: snapshot('sub_a', 'active', mark(1, 4, 'e3'), 1_000) },
      },
    };

    expect(knownSubscriptions(state).map((s) => s.subscriptionId)).toEqual([
      'sub_a',
      'sub_b',
      'sub_c',
    ]);
  });

  it('puts the older subscription first even when its id sorts last', () => {
    const state: BillingState = {
      subscriptions: {
        sub_a: { snapshot: snapshot('sub_a', 'active', mark(1, 4, 'e1'), 2_000) },
        sub_b: { snapshot: snapshot('sub_b', 'active', mark(1, 4, 'e2'), 1_000) },
      },
    };

    expect(knownSubscriptions(state).map((s) => s.subscriptionId)).toEqual(['sub_b', 'sub_a']);
  });

  it('breaks a tie of the same second by id whichever subscription was stored first', () => {
    const entry = (id: string) => [id, { snapshot: snapshot(id, 'active', mark(1, 4, id)) }];
    const stored = (ids: string[]): BillingState => ({
      subscriptions: Object.fromEntries(ids.map(entry)),
    });

    for (const ids of [
      ['sub_a', 'sub_b'],
      ['sub_b', 'sub_a'],
    ]) {
      expect(knownSubscriptions(stored(ids)).map((s) => s.subscriptionId)).toEqual([
        'sub_a',
        'sub_b',
      ]);
    }
  });

  it.each([
    ['active', 'payment_failed', 'past_due'],
    ['trialing', 'payment_failed', 'past_due'],
    ['canceled', 'payment_failed', 'canceled'],
    ['past_due', 'paid', 'active'],
    ['unpaid', 'paid', 'active'],
    ['incomplete', 'paid', 'active'],
    ['canceled', 'paid', 'canceled'],
  ] as const)('turns %s with a newer %s invoice into %s', (status, outcome, expected) => {
    const invoice: InvoiceOutcome = { subscriptionId: 'sub_a', outcome, mark: mark(20, 3, 'e2') };
    const state: BillingState = {
      subscriptions: {
        sub_a: { snapshot: snapshot('sub_a', status, mark(10, 4, 'e1')), lastInvoice: invoice },
      },
    };

    expect(knownSubscriptions(state)[0]?.status).toBe(expected);
  });

  it('ignores an invoice outcome older than the snapshot, and keeps one of the same event', () => {
    const at = mark(10, 4, 'e1');
    const stateWith = (invoiceMark: EventMark): BillingState => ({
      subscriptions: {
        sub_a: {
          snapshot: snapshot('sub_a', 'active', at),
          lastInvoice: { subscriptionId: 'sub_a', outcome: 'payment_failed', mark: invoiceMark },
        },
      },
    });

    expect(knownSubscriptions(stateWith(mark(9, 2, 'e0')))[0]?.status).toBe('active');
    expect(knownSubscriptions(stateWith(at))[0]?.status).toBe('past_due');
  });
});
