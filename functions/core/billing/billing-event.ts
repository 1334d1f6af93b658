/**
 * The Stripe webhook events billing acts on, reduced to the fields Metrion uses. The Stripe
 * adapter (`BillingGateway.verifyWebhook`) builds them from a verified event; the core never sees
 * a Stripe object.
 */

/** Stripe's subscription statuses. An unknown future status arrives as `unpaid` (no Pro). */
export const SUBSCRIPTION_STATUSES = [
  'active',
  'trialing',
  'past_due',
  'incomplete',
  'incomplete_expired',
  'unpaid',
  'canceled',
  'paused',
] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** What every event carries: Stripe's event id (`evt_…`) and its `created` second. */
interface BillingEventBase {
  readonly eventId: string;
  readonly createdEpochSeconds: number;
}

/** `checkout.session.completed` for a subscription-mode session. */
export interface CheckoutCompletedEvent extends BillingEventBase {
  readonly type: 'checkout.session.completed';
  /** `client_reference_id`, set to the Metrion account id when the session was created. */
  readonly clientReferenceId: string | null;
  /** `metadata.accountId` of the session. */
  readonly metadataAccountId: string | null;
  readonly customerId: string | null;
  readonly subscriptionId: string | null;
  /** `payment_status` is `paid` or `no_payment_required` (not an async payment still pending). */
  readonly paid: boolean;
}

export const SUBSCRIPTION_EVENT_TYPES = [
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
] as const;

/** `customer.subscription.*`: a full snapshot of the subscription at `createdEpochSeconds`. */
export interface SubscriptionEvent extends BillingEventBase {
  readonly type: (typeof SUBSCRIPTION_EVENT_TYPES)[number];
  /** `metadata.accountId` of the subscription (set through `subscription_data` at checkout). */
  readonly metadataAccountId: string | null;
  readonly customerId: string;
  readonly subscriptionId: string;
  /** The subscription's own `created`: a newer subscription supersedes an older one. */
  readonly subscriptionCreatedEpochSeconds: number;
  readonly status: SubscriptionStatus;
  /** ISO instant the paid period ends (Stripe's item `current_period_end`), or null if unknown. */
  readonly currentPeriodEndAt: string | null;
  readonly cancelAtPeriodEnd: boolean;
}

export const INVOICE_EVENT_TYPES = ['invoice.paid', 'invoice.payment_failed'] as const;

/** `invoice.paid` / `invoice.payment_failed` of a subscription invoice. */
export interface InvoiceEvent extends BillingEventBase {
  readonly type: (typeof INVOICE_EVENT_TYPES)[number];
  /** The subscription's `metadata.accountId` as copied onto the invoice. */
  readonly metadataAccountId: string | null;
  readonly customerId: string | null;
  /** Null for an invoice that no subscription generated (billing ignores those). */
  readonly subscriptionId: string | null;
}

/** Any other event type: acknowledged (200) and never applied. */
export interface UnhandledEvent extends BillingEventBase {
  readonly type: 'unhandled';
  /** Stripe's event type, for the log line. */
  readonly stripeType: string;
}

export type BillingEvent =
  | CheckoutCompletedEvent
  | SubscriptionEvent
  | InvoiceEvent
  | UnhandledEvent;
