// BillingGateway on Stripe: POST /v1/customers, /v1/checkout/sessions (+ list, expire),
// /v1/billing_portal/sessions; GET /v1/subscriptions, DELETE /v1/subscriptions/{id},
// GET /v1/invoices and /v1/invoice_payments, POST /v1/refunds; webhooks.constructEvent
// (offline HMAC-SHA256 check, no API call).
import type Stripe from 'stripe';
import type { BillingEvent } from '#core/billing/billing-event.ts';
import {
  BillingUnavailableError,
  InvalidWebhookSignatureError,
  MalformedWebhookError,
} from '#core/errors.ts';
import type {
  BillingGateway,
  CreateCheckoutSessionInput,
  CreateCustomerInput,
  CreatePortalSessionInput,
} from '#core/ports/billing-gateway.ts';
import type { Clock } from '#core/ports/clock.ts';
import { toBillingEvent } from './stripe-event.ts';

export { STRIPE_WEBHOOK_EVENT_TYPES } from './stripe-event.ts';

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
  readonly webhookSecret?: string | undefined;
  /** Age (s) beyond which a signature timestamp is rejected (replay window); > 0. @default 300 */
  readonly webhookToleranceSeconds?: number;
  /** What "now" is when checking a signature timestamp. @default - the system clock */
  readonly clock?: Clock;
}

const DEFAULT_TOLERANCE_SECONDS = 300;

/** Statuses after which Stripe never bills the subscription again. */
const ENDED_STATUSES: ReadonlySet<string> = new Set(['canceled', 'incomplete_expired']);

/** The `t=` of a `Stripe-Signature` header (seconds), or undefined when there is none. */
function signatureTimestamp(header: string): number | undefined {
  const match = /(?:^|,)\s*t=(\d+)/.exec(header);
  return match === null ? undefined : Number(match[1]);
}

const isSignatureError = (error: unknown): boolean =>
  (error as { type?: unknown } | null)?.type === 'StripeSignatureVerificationError';

const isInvalidRequest = (error: unknown): boolean =>
  (error as { type?: unknown } | null)?.type === 'StripeInvalidRequestError';

const stripeErrorCode = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;

/** The SDK error may echo request data; only its type goes into our message. */
function unavailable(operation: string, error: unknown): BillingUnavailableError {
  const kind = error instanceof Error ? error.name : 'unknown error';
  return new BillingUnavailableError(
    `The payment provider could not ${operation} (${kind}). Try again in a minute.`,
  );
}

async function callStripe<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw unavailable(operation, error);
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

  /** Every open Checkout Session of the customer expired; one paid meanwhile answers 400, kept. */
  async expireOpenCheckoutSessions(customerId: string): Promise<void> {
    const open = await callStripe('list checkout sessions', () =>
      this.#client.checkout.sessions.list({ customer: customerId, status: 'open', limit: 100 }),
    );
    for (const session of open.data) {
      try {
        await this.#client.checkout.sessions.expire(session.id);
      } catch (error) {
        if (!isInvalidRequest(error)) throw unavailable('expire checkout', error);
      }
    }
  }

  async listOpenSubscriptions(customerId: string): Promise<readonly string[]> {
    // Without `status`, Stripe lists every subscription that is not canceled.
    const listed = await callStripe('list subscriptions', () =>
      this.#client.subscriptions.list({ customer: customerId, limit: 100 }),
    );
    return listed.data
      .filter((subscription) => !ENDED_STATUSES.has(subscription.status))
      .map((subscription) => subscription.id);
  }

  async cancelWithFullRefund(subscriptionId: string): Promise<void> {
    const subscription = await callStripe('read the subscription', () =>
      this.#client.subscriptions.retrieve(subscriptionId),
    );
    if (!ENDED_STATUSES.has(subscription.status)) {
      await callStripe('cancel the subscription', () =>
        this.#client.subscriptions.cancel(subscriptionId, undefined, {
          idempotencyKey: `metrion-cancel-${subscriptionId}`,
        }),
      );
    }
    for (const paymentIntent of await this.#paidPaymentIntents(subscriptionId)) {
      await this.#refundInFull(paymentIntent);
    }
  }

  /** The payment intents that paid the subscription's invoices. */
  async #paidPaymentIntents(subscriptionId: string): Promise<string[]> {
    const invoices = await callStripe('list invoices', () =>
      this.#client.invoices.list({ subscription: subscriptionId, status: 'paid', limit: 100 }),
    );
    const intents: string[] = [];
    for (const invoice of invoices.data) {
      if (invoice.id === undefined) continue;
      const invoiceId = invoice.id;
      const payments = await callStripe('list invoice payments', () =>
        this.#client.invoicePayments.list({ invoice: invoiceId, status: 'paid', limit: 100 }),
      );
      for (const payment of payments.data) {
        const intent = payment.payment.payment_intent;
        if (intent !== undefined) intents.push(typeof intent === 'string' ? intent : intent.id);
      }
    }
    return intents;
  }

  /** A full refund (no amount); one refunded before (a retried delivery) is left as is. */
  async #refundInFull(paymentIntent: string): Promise<void> {
    try {
      await this.#client.refunds.create(
        { payment_intent: paymentIntent, reason: 'duplicate' },
        { idempotencyKey: `metrion-refund-${paymentIntent}` },
      );
    } catch (error) {
      if (stripeErrorCode(error) === 'charge_already_refunded') return;
      throw unavailable('refund the payment', error);
    }
  }

  async verifyWebhook(rawBody: string, signatureHeader: string | undefined): Promise<BillingEvent> {
    const secret = this.#webhookSecret;
    if (secret === undefined || secret === '') {
      throw new Error('StripeBillingGateway was built without a webhook secret.');
    }
    if (signatureHeader === undefined || signatureHeader === '') {
      throw new InvalidWebhookSignatureError('The Stripe-Signature header is missing.');
    }
    const nowMs = this.#clock?.nowMs() ?? Date.now();
    // The SDK only refuses signatures that are too old; one dated ahead would stay replayable.
    const signedAt = signatureTimestamp(signatureHeader);
    if (signedAt !== undefined && signedAt - nowMs / 1000 > this.#toleranceSeconds) {
      throw new InvalidWebhookSignatureError('The webhook signature is dated in the future.');
    }
    let event: unknown;
    try {
      // `receivedAt` is in ms (the SDK divides by 1000 itself).
      event = this.#client.webhooks.constructEvent(
        rawBody,
        signatureHeader,
        secret,
        this.#toleranceSeconds,
        undefined,
        nowMs,
      );
    } catch (error) {
      // The signature is checked before the body is parsed: anything else is a malformed body.
      if (isSignatureError(error)) {
        throw new InvalidWebhookSignatureError(
          'The webhook signature does not match the body, or its timestamp is too old.',
        );
      }
      throw new MalformedWebhookError('The webhook body is not JSON.');
    }
    return toBillingEvent(event);
  }
}
