import type { BillingEvent } from '../billing/billing-event.ts';

export interface CreateCustomerInput {
  readonly accountId: string;
  readonly email: string;
  /**
   * Sent as Stripe's `Idempotency-Key`: concurrent calls with the same key create one customer
   * and all receive it (Stripe keeps keys for 24 hours).
   */
  readonly idempotencyKey: string;
}

export interface CreateCheckoutSessionInput {
  readonly accountId: string;
  /** The account's existing Stripe customer (`cus_…`). */
  readonly customerId: string;
  /** The Stripe price of the Pro plan (`price_…`). */
  readonly priceId: string;
  /** Where Stripe sends the browser after payment. */
  readonly successUrl: string;
  /** Where Stripe sends the browser when the user backs out. */
  readonly cancelUrl: string;
}

export interface CreatePortalSessionInput {
  readonly customerId: string;
  /** Where the portal's "return" link goes. */
  readonly returnUrl: string;
}

/**
 * Stripe as the core sees it: hosted Checkout and billing portal URLs, and verified webhooks.
 * Provider failures surface as `BillingUnavailableError`; nothing Stripe-typed crosses the port.
 */
export interface BillingGateway {
  /** Creates a Stripe customer tagged with the account id; returns its id (`cus_…`). */
  createCustomer(input: CreateCustomerInput): Promise<string>;

  /**
   * Creates a Checkout Session in subscription mode for one unit of `priceId`, with
   * `client_reference_id`, `metadata.accountId` and `subscription_data.metadata.accountId` all
   * set to the account id (so every later subscription and invoice event names its account).
   * Returns the hosted page URL.
   */
  createCheckoutSession(input: CreateCheckoutSessionInput): Promise<{ url: string }>;

  /** Creates a billing portal session for the customer; returns its URL. */
  createPortalSession(input: CreatePortalSessionInput): Promise<{ url: string }>;

  /**
   * Expires every open Checkout Session of the customer, so an older Checkout tab can no longer
   * be paid. A session paid in the meantime stays paid (its subscription then shows in
   * {@link listOpenSubscriptions}).
   */
  expireOpenCheckoutSessions(customerId: string): Promise<void>;

  /**
   * The ids of the customer's subscriptions that Stripe bills or may still bill (every status
   * but `canceled` and `incomplete_expired`), as Stripe knows them now: ahead of any webhook.
   */
  listOpenSubscriptions(customerId: string): Promise<readonly string[]>;

  /**
   * Cancels the subscription now and refunds every payment of its paid invoices in full.
   * Idempotent: a subscription already canceled or a payment already refunded is left as is, so
   * a retried webhook can call it again.
   */
  cancelWithFullRefund(subscriptionId: string): Promise<void>;

  /**
   * Verifies the `Stripe-Signature` header against the raw request body (exact bytes as
   * received) and the webhook secret, rejecting timestamps outside the tolerance, then reduces
   * the event to a {@link BillingEvent} (`unhandled` for types billing does not act on).
   * @throws InvalidWebhookSignatureError when the header is missing, malformed, stale or wrong,
   * or the body is not a Stripe event. Nothing has been read or changed then.
   */
  verifyWebhook(rawBody: string, signatureHeader: string | undefined): Promise<BillingEvent>;
}
