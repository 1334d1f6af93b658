import {
  AlreadyProError,
  NoBillingCustomerError,
  NotFoundError,
  SubscriptionStillOpenError,
} from '../errors.ts';
import type { AccountStore, BillingRecord } from '../ports/account-store.ts';
import type { BillingGateway } from '../ports/billing-gateway.ts';
import type { Clock } from '../ports/clock.ts';
import {
  applyBillingEvent,
  billingEventTarget,
  checkEventCustomer,
  type IgnoredReason,
} from './apply-billing-event.ts';
import {
  type BillingStatus,
  billingStatus,
  effectivePlan,
  hasOpenSubscription,
  planFromBilling,
} from './billing-state.ts';
import type { Plan } from './plans.ts';

export interface BillingServiceConfig {
  /** Stripe price of the Pro plan (`price_…`). */
  readonly proPriceId: string;
  /** Absolute URL of the Plan page Checkout returns to after payment. */
  readonly checkoutSuccessUrl: string;
  /** Absolute URL Checkout returns to when the user backs out. */
  readonly checkoutCancelUrl: string;
  /** Absolute URL the billing portal links back to. */
  readonly portalReturnUrl: string;
  /**
   * How long a processed event id is remembered. Stripe retries a delivery for up to 3 days;
   * a replay after that is still harmless (the state machine ignores older events).
   * @default 30 days
   */
  readonly processedEventTtlSeconds?: number;
}

export interface BillingServiceDeps {
  readonly accounts: AccountStore;
  readonly gateway: BillingGateway;
  readonly clock: Clock;
  readonly config: BillingServiceConfig;
}

/** What the Plan page shows. */
export interface BillingView {
  /** The plan enforced right now (Free once a canceled period has ended). */
  readonly plan: Plan;
  /** Stripe's subscription status, or `none`; `past_due` keeps Pro and warrants a warning. */
  readonly status: BillingStatus;
  /** ISO instant the current paid period ends, or null. */
  readonly currentPeriodEndAt: string | null;
  /** True when Pro ends at `currentPeriodEndAt` (canceled in the portal). */
  readonly cancelAtPeriodEnd: boolean;
}

/** How a verified webhook was handled; every outcome is a 200 for Stripe. */
export type WebhookOutcome =
  | { readonly outcome: 'applied'; readonly eventId: string; readonly accountId: string }
  | { readonly outcome: 'unchanged'; readonly eventId: string; readonly accountId: string }
  | { readonly outcome: 'duplicate'; readonly eventId: string }
  | { readonly outcome: 'ignored'; readonly eventId: string; readonly reason: IgnoredReason };

const DEFAULT_PROCESSED_EVENT_TTL_SECONDS = 30 * 86_400;
/** Optimistic-write attempts before giving up (then Stripe redelivers later). */
const SAVE_ATTEMPTS = 5;

/** Thrown when concurrent writers kept winning; a 5xx, so Stripe retries the delivery. */
export class BillingWriteContentionError extends Error {
  constructor() {
    super('The billing state kept changing during the update; the delivery should be retried.');
    this.name = 'BillingWriteContentionError';
  }
}

/** Plan page, Checkout, billing portal and the Stripe webhook. */
export function createBillingService(deps: BillingServiceDeps) {
  const { accounts, gateway, clock, config } = deps;
  const ttlSeconds = config.processedEventTtlSeconds ?? DEFAULT_PROCESSED_EVENT_TTL_SECONDS;

  async function requireRecord(accountId: string): Promise<BillingRecord> {
    const record = await accounts.getBillingRecord(accountId);
    if (record === undefined) throw new NotFoundError('This account does not exist.');
    return record;
  }

  /** The stored customer, or a new one created (idempotently) and stored once. */
  async function customerFor(accountId: string, record: BillingRecord): Promise<string> {
    if (record.billing.stripeCustomerId !== undefined) return record.billing.stripeCustomerId;
    const account = await accounts.getAccount(accountId);
    if (account === undefined) throw new NotFoundError('This account does not exist.');
    const created = await gateway.createCustomer({
      accountId,
      email: account.email,
      idempotencyKey: `metrion-customer-${accountId}`,
    });
    return accounts.setStripeCustomerId(accountId, created);
  }

  return {
    /** The Plan page's view of the account. @throws NotFoundError */
    async getBillingView(accountId: string): Promise<BillingView> {
      const record = await requireRecord(accountId);
      const subscription = record.billing.subscription;
      return {
        plan: effectivePlan({ plan: record.plan, billing: record.billing }, clock.nowMs()),
        status: billingStatus(record.billing),
        currentPeriodEndAt: subscription?.currentPeriodEndAt ?? null,
        cancelAtPeriodEnd: subscription?.cancelAtPeriodEnd ?? false,
      };
    },

    /**
     * A Stripe Checkout URL for Pro. Reuses the account's Stripe customer, creating it on the
     * first click (concurrent clicks share one customer: Stripe idempotency key + set-once write).
     * @throws AlreadyProError (`already_pro`) on Pro; SubscriptionStillOpenError
     * (`subscription_open`) while a previous subscription is not closed in Stripe yet (a second
     * subscription would be billed twice); NotFoundError; BillingUnavailableError.
     */
    async startCheckout(accountId: string): Promise<{ url: string }> {
      const record = await requireRecord(accountId);
      if (effectivePlan({ plan: record.plan, billing: record.billing }, clock.nowMs()) === 'pro') {
        throw new AlreadyProError(
          'This account is already on Pro. Use Manage billing to change or cancel the plan.',
        );
      }
      if (hasOpenSubscription(record.billing)) {
        throw new SubscriptionStillOpenError(
          'Your previous subscription is still open in Stripe. Use Manage billing to settle it, or try again in a minute if you just canceled.',
        );
      }
      const customerId = await customerFor(accountId, record);
      return gateway.createCheckoutSession({
        accountId,
        customerId,
        priceId: config.proPriceId,
        successUrl: config.checkoutSuccessUrl,
        cancelUrl: config.checkoutCancelUrl,
      });
    },

    /**
     * A Stripe billing portal URL (payment method, subscription, invoices).
     * @throws NoBillingCustomerError (`no_billing_customer`) before the first checkout;
     * NotFoundError; BillingUnavailableError.
     */
    async openPortal(accountId: string): Promise<{ url: string }> {
      const record = await requireRecord(accountId);
      const customerId = record.billing.stripeCustomerId;
      if (customerId === undefined) {
        throw new NoBillingCustomerError(
          'This account has no billing details yet. Upgrade to Pro first.',
        );
      }
      return gateway.createPortalSession({ customerId, returnUrl: config.portalReturnUrl });
    },

    /**
     * Verifies, deduplicates and applies one Stripe webhook delivery.
     * 1. signature check (nothing is read or written before it passes);
     * 2. the one account the event names ({@link billingEventTarget}), cross-checked with its
     *    stored customer; 3. skip if the event id was processed; 4. apply the pure state machine
     *    and save with an optimistic version check (retried on contention); 5. record the id.
     * A crash between 4 and 5 only means a redelivery is applied again, which the state machine
     * makes a no-op (an event never changes a state that already holds it or something newer).
     * @throws InvalidWebhookSignatureError (→ 400); store errors and BillingWriteContentionError
     * (→ 5xx, so Stripe retries).
     */
    async handleWebhook(
      rawBody: string,
      signatureHeader: string | undefined,
    ): Promise<WebhookOutcome> {
      const event = await gateway.verifyWebhook(rawBody, signatureHeader);
      const target = billingEventTarget(event);
      if ('ignored' in target) {
        return { outcome: 'ignored', eventId: event.eventId, reason: target.ignored };
      }
      if (await accounts.isBillingEventProcessed(event.eventId, clock.nowMs())) {
        return { outcome: 'duplicate', eventId: event.eventId };
      }
      const { accountId } = target;
      for (let attempt = 1; attempt <= SAVE_ATTEMPTS; attempt += 1) {
        const record = await accounts.getBillingRecord(accountId);
        if (record === undefined) {
          return { outcome: 'ignored', eventId: event.eventId, reason: 'unknown_account' };
        }
        const mismatch = checkEventCustomer(target.event, record.billing.stripeCustomerId);
        if (mismatch !== undefined) {
          return { outcome: 'ignored', eventId: event.eventId, reason: mismatch };
        }
        const nowMs = clock.nowMs();
        const next = applyBillingEvent(record.billing, target.event);
        const unchanged = next === record.billing;
        // Saved even when unchanged: the save also refreshes what the proxy reads, which a crash
        // after an earlier delivery's save may have left stale (Stripe then retries).
        if (
          await accounts.saveBillingState(
            accountId,
            { billing: next, plan: planFromBilling(next, nowMs) },
            record.version,
          )
        ) {
          const expiresAtEpochSeconds = Math.floor(nowMs / 1000) + ttlSeconds;
          await accounts.recordBillingEventProcessed(event.eventId, nowMs, expiresAtEpochSeconds);
          return {
            outcome: unchanged ? 'unchanged' : 'applied',
            eventId: event.eventId,
            accountId,
          };
        }
      }
      throw new BillingWriteContentionError();
    },
  };
}

export type BillingService = ReturnType<typeof createBillingService>;
