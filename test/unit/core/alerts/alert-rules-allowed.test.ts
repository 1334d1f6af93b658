import { describe, expect, it } from 'vitest';
import { alertRulesAllowed } from '#core/alerts/evaluate-alerts.ts';
import type { BillingState } from '#core/billing/billing-state.ts';

const PERIOD_END = '2026-04-01T00:00:00.000Z';
const PERIOD_END_MS = Date.parse(PERIOD_END);

function subscription(cancelAtPeriodEnd: boolean): BillingState {
  return {
    stripeCustomerId: 'cus_1',
    subscriptions: {
      sub_1: {
        snapshot: {
          subscriptionId: 'sub_1',
          subscriptionCreatedEpochSeconds: 1_770_000_000,
          status: 'active',
          currentPeriodEndAt: PERIOD_END,
          cancelAtPeriodEnd,
          mark: { createdEpochSeconds: 1_770_000_100, rank: 1, eventId: 'evt_1' },
        },
      },
    },
  };
}

describe('alertRulesAllowed', () => {
  it('follows the stored plan while the account never had a subscription', () => {
    expect(alertRulesAllowed({ plan: 'free' }, PERIOD_END_MS)).toBe(false);
    expect(alertRulesAllowed({ plan: 'pro' }, PERIOD_END_MS)).toBe(true);
  });

  it('ends at the exact period end of a cancelled subscription, before Stripe deletes it', () => {
    // The stored plan is still Pro: customer.subscription.deleted has not arrived.
    const account = { plan: 'pro', billing: subscription(true) } as const;
    expect(alertRulesAllowed(account, PERIOD_END_MS - 1)).toBe(true);
    expect(alertRulesAllowed(account, PERIOD_END_MS)).toBe(false);
  });

  it('keeps alerts past the period end of a subscription that renews', () => {
    const account = { plan: 'pro', billing: subscription(false) } as const;
    expect(alertRulesAllowed(account, PERIOD_END_MS + 1)).toBe(true);
  });

  it('lets billing decide over a stale stored plan', () => {
    expect(alertRulesAllowed({ plan: 'free', billing: subscription(false) }, 0)).toBe(true);
  });
});
