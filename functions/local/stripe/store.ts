// Everything the stand-in knows, in memory (like Stripe test mode, it starts empty each run).
import type {
  CheckoutSessionRecord,
  PortalSessionObject,
  StripeCustomerObject,
  StripeSubscriptionObject,
} from './objects.ts';

/** What every stand-in invoice charges (there is no price table): $10.00. */
export const INVOICE_AMOUNT_CENTS = 1000;

export interface InvoiceObject {
  id: string;
  object: 'invoice';
  customer: string;
  status: 'paid' | 'open';
  amount_due: number;
  amount_paid: number;
  currency: 'usd';
  created: number;
  parent: {
    type: 'subscription_details';
    quote_details: null;
    subscription_details: { metadata: Record<string, string>; subscription: string };
  };
  livemode: false;
}

export interface InvoicePaymentObject {
  id: string;
  object: 'invoice_payment';
  invoice: string;
  status: 'paid';
  amount_paid: number;
  currency: 'usd';
  payment: { type: 'payment_intent'; payment_intent: string };
  created: number;
  livemode: false;
}

export interface RefundObject {
  id: string;
  object: 'refund';
  payment_intent: string;
  amount: number;
  currency: 'usd';
  status: 'succeeded';
  created: number;
}

/** The stand-in's objects by id, and its clock. */
export class StandInStore {
  readonly customers = new Map<string, StripeCustomerObject>();
  readonly checkoutSessions = new Map<string, CheckoutSessionRecord>();
  readonly subscriptions = new Map<string, StripeSubscriptionObject>();
  readonly invoices = new Map<string, InvoiceObject>();
  readonly invoicePayments = new Map<string, InvoicePaymentObject>();
  readonly refunds = new Map<string, RefundObject>();
  readonly portalSessions = new Map<string, PortalSessionObject>();
  /** Answers by `<path> <Idempotency-Key>`, replayed for a repeated key as Stripe does. */
  readonly idempotentAnswers = new Map<string, { status: number; body: unknown }>();
  readonly #nowMs: () => number;

  constructor(nowMs: () => number) {
    this.#nowMs = nowMs;
  }

  nowSeconds(): number {
    return Math.floor(this.#nowMs() / 1000);
  }

  requireSubscription(subscriptionId: string): StripeSubscriptionObject {
    const subscription = this.subscriptions.get(subscriptionId);
    if (subscription === undefined) throw new Error(`No subscription ${subscriptionId}.`);
    return subscription;
  }

  /** Cents of a payment intent not refunded yet. */
  refundableCents(paymentIntent: string): number {
    const paid = [...this.invoicePayments.values()]
      .filter((payment) => payment.payment.payment_intent === paymentIntent)
      .reduce((sum, payment) => sum + payment.amount_paid, 0);
    const refunded = [...this.refunds.values()]
      .filter((refund) => refund.payment_intent === paymentIntent)
      .reduce((sum, refund) => sum + refund.amount, 0);
    return paid - refunded;
  }
}
