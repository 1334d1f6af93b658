import {
  AlreadyProError,
  NoBillingCustomerError,
  NotFoundError,
  SubscriptionStillOpenError,
} from '../errors.ts';
import { monthCounter, nextMonthStartMs } from '../limits/request-limits.ts';
import type { AccountStore } from '../ports/account-store.ts';
import type { BillingGateway } from '../ports/billing-gateway.ts';
import type { BillingRecord, BillingStore } from '../ports/billing-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { MetrionKeyStore } from '../ports/metrion-key-store.ts';
import type { ProxyAdmission } from '../ports/proxy-admission.ts';
import {
  type BillingStatus,
  billingStatus,
  currentSubscription,
  effectivePlan,
  hasOpenSubscription,
} from './billing-state.ts';
import type { Plan } from './plans.ts';
import { handleWebhookDelivery } from './webhook-delivery.ts';

export {
  BillingWriteContentionError,
  type WebhookOutcome,
} from './webhook-delivery.ts';

export interface BillingServiceConfig {
  /** Stripe price of the Pro plan (`price_…`). */
  readonly proPriceId: string;
  /**
   * What `proPriceId` charges per month, in USD, as a decimal (`"29.00"`): the Plan page shows
   * it. It must match the Stripe price; Stripe's Checkout page shows the amount it charges.
   */
  readonly proMonthlyPriceUsd: string;
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
  /** To read the email a new Stripe customer is created with. */
  readonly accounts: Pick<AccountStore, 'getAccount'>;
  /** To read the Metrion Key whose lookup item holds the month's request counter. */
  readonly metrionKeys: Pick<MetrionKeyStore, 'getMetrionKey'>;
  readonly billingRecords: BillingStore;
  /** The month's request counter the Free cap is enforced on (read for the Plan page). */
  readonly requestCounts: Pick<ProxyAdmission, 'windowCount'>;
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
  /** Pro's monthly price in USD, from configuration (`BillingServiceConfig.proMonthlyPriceUsd`). */
  readonly proMonthlyPriceUsd: string;
  /** Proxy requests counted this calendar month (UTC), as the Free cap counts them. */
  readonly thisMonth: { readonly requests: number; readonly resetsAtMs: number };
}

const DEFAULT_PROCESSED_EVENT_TTL_SECONDS = 30 * 86_400;

async function requireRecord(
  billingRecords: BillingStore,
  accountId: string,
): Promise<BillingRecord> {
  const record = await billingRecords.getBillingRecord(accountId);
  if (record === undefined) throw new NotFoundError('This account does not exist.');
  return record;
}

/**
 * The account's month counter: the one admission counts and the Free cap is checked against
 * (it follows the account across key regenerations). 0 without a Metrion Key.
 */
async function requestsThisMonth(
  deps: BillingServiceDeps,
  accountId: string,
  nowMs: number,
): Promise<number> {
  const key = await deps.metrionKeys.getMetrionKey(accountId);
  if (key === undefined) return 0;
  return (await deps.requestCounts.windowCount(key.digest, monthCounter(nowMs))).count;
}

/** The stored customer, or a new one created (idempotently) and stored once. */
async function customerFor(
  deps: BillingServiceDeps,
  accountId: string,
  record: BillingRecord,
): Promise<string> {
  if (record.billing.stripeCustomerId !== undefined) return record.billing.stripeCustomerId;
  const account = await deps.accounts.getAccount(accountId);
  if (account === undefined) throw new NotFoundError('This account does not exist.');
  const created = await deps.gateway.createCustomer({
    accountId,
    email: account.email,
    idempotencyKey: `metrion-customer-${accountId}`,
  });
  return deps.billingRecords.setStripeCustomerId(accountId, created);
}

/** The Plan page's view of the account. @throws NotFoundError */
async function billingView(deps: BillingServiceDeps, accountId: string): Promise<BillingView> {
  const nowMs = deps.clock.nowMs();
  const [record, requests] = await Promise.all([
    requireRecord(deps.billingRecords, accountId),
    requestsThisMonth(deps, accountId, nowMs),
  ]);
  const subscription = currentSubscription(record.billing);
  return {
    plan: effectivePlan({ plan: record.plan, billing: record.billing }, nowMs),
    status: billingStatus(record.billing),
    currentPeriodEndAt: subscription?.currentPeriodEndAt ?? null,
    cancelAtPeriodEnd: subscription?.cancelAtPeriodEnd ?? false,
    proMonthlyPriceUsd: deps.config.proMonthlyPriceUsd,
    thisMonth: { requests, resetsAtMs: nextMonthStartMs(nowMs) },
  };
}

/**
 * A Stripe Checkout URL for Pro. Reuses the account's Stripe customer, creating it on the
 * first click (concurrent clicks share one customer: Stripe idempotency key + set-once write).
 * Expires the customer's older open Checkout Sessions, so only the newest page can be paid.
 * @throws AlreadyProError (`already_pro`) on Pro; SubscriptionStillOpenError
 * (`subscription_open`) while a subscription is open, in the stored state or in Stripe
 * (paid in another tab before its webhook arrived): a second one would be billed twice;
 * NotFoundError; BillingUnavailableError.
 */
async function startCheckout(
  deps: BillingServiceDeps,
  accountId: string,
): Promise<{ url: string }> {
  const { gateway, config } = deps;
  const record = await requireRecord(deps.billingRecords, accountId);
  if (effectivePlan({ plan: record.plan, billing: record.billing }, deps.clock.nowMs()) === 'pro') {
    throw new AlreadyProError(
      'This account is already on Pro. Use Manage billing to change or cancel the plan.',
    );
  }
  if (hasOpenSubscription(record.billing)) {
    throw new SubscriptionStillOpenError(
      'Your previous subscription is still open in Stripe. Use Manage billing to settle it, or try again in a minute if you just canceled.',
    );
  }
  const customerId = await customerFor(deps, accountId, record);
  // Expire first, then look: a tab paid before its session expired shows up in the list.
  await gateway.expireOpenCheckoutSessions(customerId);
  if ((await gateway.listOpenSubscriptions(customerId)).length > 0) {
    throw new SubscriptionStillOpenError(
      'A Pro subscription is already open in Stripe (paid in another tab?). Reload the Plan page in a minute, or use Manage billing.',
    );
  }
  return gateway.createCheckoutSession({
    accountId,
    customerId,
    priceId: config.proPriceId,
    successUrl: config.checkoutSuccessUrl,
    cancelUrl: config.checkoutCancelUrl,
  });
}

/**
 * A Stripe billing portal URL (payment method, subscription, invoices).
 * @throws NoBillingCustomerError (`no_billing_customer`) before the first checkout;
 * NotFoundError; BillingUnavailableError.
 */
async function openPortal(deps: BillingServiceDeps, accountId: string): Promise<{ url: string }> {
  const record = await requireRecord(deps.billingRecords, accountId);
  const customerId = record.billing.stripeCustomerId;
  if (customerId === undefined) {
    throw new NoBillingCustomerError(
      'This account has no billing details yet. Upgrade to Pro first.',
    );
  }
  return deps.gateway.createPortalSession({ customerId, returnUrl: deps.config.portalReturnUrl });
}

/** Plan page, Checkout, billing portal and the Stripe webhook. */
export function createBillingService(deps: BillingServiceDeps) {
  const { billingRecords, gateway, clock, config } = deps;
  const ttlSeconds = config.processedEventTtlSeconds ?? DEFAULT_PROCESSED_EVENT_TTL_SECONDS;
  return {
    /** See {@link billingView}. */
    getBillingView: (accountId: string) => billingView(deps, accountId),
    /** See {@link startCheckout}. */
    startCheckout: (accountId: string) => startCheckout(deps, accountId),
    /** See {@link openPortal}. */
    openPortal: (accountId: string) => openPortal(deps, accountId),
    /** One Stripe webhook delivery: see {@link handleWebhookDelivery}. */
    handleWebhook: (rawBody: string, signatureHeader: string | undefined) =>
      handleWebhookDelivery(
        { billingRecords, gateway, clock, processedEventTtlSeconds: ttlSeconds },
        rawBody,
        signatureHeader,
      ),
  };
}

export type BillingService = ReturnType<typeof createBillingService>;
