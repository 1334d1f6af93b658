// BillingGateway on Stripe: POST /v1/customers, /v1/checkout/sessions,
// /v1/billing_portal/sessions; webhooks.constructEvent (offline HMAC-SHA256 check, no API call).
import type Stripe from 'stripe';
import {
  type BillingEvent,
  INVOICE_EVENT_TYPES,
  SUBSCRIPTION_EVENT_TYPES,
  SUBSCRIPTION_STATUSES,
  type SubscriptionStatus,
} from '#core/billing/billing-event.ts';
import { BillingUnavailableError, InvalidWebhookSignatureError } from '#core/errors.ts';
import type {
  BillingGateway,
  CreateCheckoutSessionInput,
  CreateCustomerInput,
  CreatePortalSessionInput,
} from '#core/ports/billing-gateway.ts';
import type { Clock } from '#core/ports/clock.ts';

export interface StripeBillingGatewayOptions {
  /**
   * A Stripe client built by the composition root: `new Stripe(secretKey)` in AWS, or
   * `new Stripe(key, { host, port, protocol: 'http' })` against the local stand-in.
   */
  readonly client: Stripe;
  /**
   * The endpoint's signing secret (`whsec_…`). Only the webhook function has it; without it
   * `verifyWebhook` throws a plain Error (a wiring mistake, so a 500, never a 400).
   * @default - none
   */
  readonly webhookSecret?: string;
  /** Age (s) beyond which a signature timestamp is rejected (replay window); > 0. @default 300 */
  readonly webhookToleranceSeconds?: number;
  /** What "now" is when checking a signature timestamp. @default - the system clock */
  readonly clock?: Clock;
}

const DEFAULT_TOLERANCE_SECONDS = 300;

type StripeRef = string | { readonly id: string } | null;

const idOf = (ref: StripeRef): string | null =>
  ref === null || typeof ref === 'string' ? ref : ref.id;

const metadataAccountId = (metadata: Stripe.Metadata | null | undefined): string | null =>
  metadata?.accountId ?? null;

function subscriptionStatus(status: string): SubscriptionStatus {
  // A status this code does not know grants nothing: fail closed rather than give Pro away.
  return (SUBSCRIPTION_STATUSES as readonly string[]).includes(status)
    ? (status as SubscriptionStatus)
    : 'unpaid';
}

/** Stripe moved `current_period_end` onto subscription items (API 2025-03-31); take the latest. */
function currentPeriodEndAt(subscription: Stripe.Subscription): string | null {
  const ends = (subscription.items?.data ?? []).map((item) => item.current_period_end);
  return ends.length === 0 ? null : new Date(Math.max(...ends) * 1000).toISOString();
}

/** Reduces a verified Stripe event to the fields billing uses. */
export function toBillingEvent(event: Stripe.Event): BillingEvent {
  const base = { eventId: event.id, createdEpochSeconds: event.created };
  const type: string = event.type;
  if (event.type === 'checkout.session.completed') {
    const session = event.data.object;
    if (session.mode !== 'subscription') {
      return { ...base, type: 'unhandled', stripeType: `${type} (mode ${session.mode})` };
    }
    return {
      ...base,
      type: 'checkout.session.completed',
      clientReferenceId: session.client_reference_id,
      metadataAccountId: metadataAccountId(session.metadata),
      customerId: idOf(session.customer),
      subscriptionId: idOf(session.subscription),
      paid: session.payment_status !== 'unpaid',
    };
  }
  if (
    event.type === 'customer.subscription.created' ||
    event.type === 'customer.subscription.updated' ||
    event.type === 'customer.subscription.deleted'
  ) {
    const subscription = event.data.object;
    return {
      ...base,
      type: event.type,
      metadataAccountId: metadataAccountId(subscription.metadata),
      customerId: idOf(subscription.customer) ?? '',
      subscriptionId: subscription.id,
      subscriptionCreatedEpochSeconds: subscription.created,
      status: subscriptionStatus(subscription.status),
      currentPeriodEndAt: currentPeriodEndAt(subscription),
      cancelAtPeriodEnd: subscription.cancel_at_period_end,
    };
  }
  if (event.type === 'invoice.paid' || event.type === 'invoice.payment_failed') {
    const invoice = event.data.object;
    const details = invoice.parent?.subscription_details ?? null;
    return {
      ...base,
      type: event.type,
      metadataAccountId: metadataAccountId(details?.metadata),
      customerId: idOf(invoice.customer),
      subscriptionId: details === null ? null : idOf(details.subscription),
    };
  }
  return { ...base, type: 'unhandled', stripeType: type };
}

/** The event types the webhook endpoint should subscribe to (Stripe dashboard or CDK). */
export const STRIPE_WEBHOOK_EVENT_TYPES = [
  'checkout.session.completed',
  ...SUBSCRIPTION_EVENT_TYPES,
  ...INVOICE_EVENT_TYPES,
] as const;

async function callStripe<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    // The SDK error may echo request data; only its type goes into our message.
    const kind = error instanceof Error ? error.name : 'unknown error';
    throw new BillingUnavailableError(
      `The payment provider could not ${operation} (${kind}). Try again in a minute.`,
    );
  }
}

/** {@link BillingGateway} on the official `stripe` SDK (client injected). */
export class StripeBillingGateway implements BillingGateway {
  readonly #client: Stripe;
  readonly #webhookSecret: string | undefined;
  readonly #toleranceSeconds: number;
  readonly #clock: Clock | undefined;

  constructor(options: StripeBillingGatewayOptions) {
    this.#client = options.client;
    this.#webhookSecret = options.webhookSecret;
    this.#toleranceSeconds = options.webhookToleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
    // The SDK treats 0 as "skip the timestamp check", which would allow replays forever.
    if (!(this.#toleranceSeconds > 0)) {
      throw new RangeError(
        `webhookToleranceSeconds must be > 0, got ${options.webhookToleranceSeconds}.`,
      );
    }
    this.#clock = options.clock;
  }

  async createCustomer(input: CreateCustomerInput): Promise<string> {
    const customer = await callStripe('create the customer', () =>
      this.#client.customers.create(
        { email: input.email, metadata: { accountId: input.accountId } },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return customer.id;
  }

  async createCheckoutSession(input: CreateCheckoutSessionInput): Promise<{ url: string }> {
    const metadata = { accountId: input.accountId };
    const session = await callStripe('start checkout', () =>
      this.#client.checkout.sessions.create({
        mode: 'subscription',
        customer: input.customerId,
        client_reference_id: input.accountId,
        metadata,
        subscription_data: { metadata },
        line_items: [{ price: input.priceId, quantity: 1 }],
        success_url: input.successUrl,
        cancel_url: input.cancelUrl,
      }),
    );
    if (session.url === null) {
      throw new BillingUnavailableError(
        'The payment provider returned no checkout page. Try again in a minute.',
      );
    }
    return { url: session.url };
  }

  async createPortalSession(input: CreatePortalSessionInput): Promise<{ url: string }> {
    const session = await callStripe('open the billing portal', () =>
      this.#client.billingPortal.sessions.create({
        customer: input.customerId,
        return_url: input.returnUrl,
      }),
    );
    return { url: session.url };
  }

  async verifyWebhook(rawBody: string, signatureHeader: string | undefined): Promise<BillingEvent> {
    const secret = this.#webhookSecret;
    if (secret === undefined || secret === '') {
      throw new Error('StripeBillingGateway was built without a webhook secret.');
    }
    if (signatureHeader === undefined || signatureHeader === '') {
      throw new InvalidWebhookSignatureError('The Stripe-Signature header is missing.');
    }
    let event: Stripe.Event;
    try {
      event = this.#client.webhooks.constructEvent(
        rawBody,
        signatureHeader,
        secret,
        this.#toleranceSeconds,
        undefined,
        // `receivedAt` is in ms (the SDK divides by 1000 itself).
        this.#clock?.nowMs(),
      );
    } catch {
      throw new InvalidWebhookSignatureError(
        'The webhook signature does not match the body, or its timestamp is too old.',
      );
    }
    return toBillingEvent(event);
  }
}
