// What happens to a subscription in the stand-in, with the webhooks Stripe sends for each step.
import { type CheckoutSessionRecord, newId, type StripeSubscriptionObject } from './objects.ts';
import { INVOICE_AMOUNT_CENTS, type InvoiceObject, type StandInStore } from './store.ts';
import type { WebhookSender } from './webhooks.ts';

/** The stand-in's state and its webhook sender: what every step reads and writes. */
export interface StandIn {
  readonly store: StandInStore;
  readonly webhooks: WebhookSender;
}

const PERIOD_SECONDS = 30 * 86_400;

/** An invoice of the subscription; a paid one also gets its payment (what a refund refunds). */
function issueInvoice(
  { store }: StandIn,
  subscription: StripeSubscriptionObject,
  status: 'paid' | 'open',
): InvoiceObject {
  const created = store.nowSeconds();
  const invoice: InvoiceObject = {
    id: newId('in'),
    object: 'invoice',
    customer: subscription.customer,
    status,
    amount_due: INVOICE_AMOUNT_CENTS,
    amount_paid: status === 'paid' ? INVOICE_AMOUNT_CENTS : 0,
    currency: 'usd',
    created,
    parent: {
      type: 'subscription_details',
      quote_details: null,
      subscription_details: { metadata: subscription.metadata, subscription: subscription.id },
    },
    livemode: false,
  };
  store.invoices.set(invoice.id, invoice);
  subscription.latest_invoice = invoice.id;
  if (status === 'paid') {
    const payment = {
      id: newId('inpay'),
      object: 'invoice_payment',
      invoice: invoice.id,
      status: 'paid',
      amount_paid: INVOICE_AMOUNT_CENTS,
      currency: 'usd',
      payment: { type: 'payment_intent', payment_intent: newId('pi') },
      created,
      livemode: false,
    } as const;
    store.invoicePayments.set(payment.id, payment);
  }
  return invoice;
}

function newSubscription(store: StandInStore, record: CheckoutSessionRecord) {
  const id = newId('sub');
  const start = store.nowSeconds();
  const subscription: StripeSubscriptionObject = {
    id,
    object: 'subscription',
    customer: record.session.customer ?? '',
    status: 'active',
    cancel_at_period_end: false,
    cancel_at: null,
    canceled_at: null,
    ended_at: null,
    created: start,
    metadata: record.subscriptionMetadata,
    latest_invoice: null,
    items: {
      object: 'list',
      data: [
        {
          id: newId('si'),
          object: 'subscription_item',
          price: { id: record.priceId, object: 'price' },
          quantity: 1,
          current_period_start: start,
          current_period_end: start + PERIOD_SECONDS,
          subscription: id,
        },
      ],
      has_more: false,
      url: `/v1/subscription_items?subscription=${id}`,
    },
    livemode: false,
  };
  store.subscriptions.set(id, subscription);
  return subscription;
}

/**
 * Pays an open session: a new active subscription with a paid first invoice, then
 * `checkout.session.completed`, `customer.subscription.created` and `invoice.paid`.
 */
export async function completeCheckout(standIn: StandIn, record: CheckoutSessionRecord) {
  const subscription = newSubscription(standIn.store, record);
  const invoice = issueInvoice(standIn, subscription, 'paid');
  const { session } = record;
  session.status = 'complete';
  session.payment_status = 'paid';
  session.subscription = subscription.id;
  await standIn.webhooks.send('checkout.session.completed', session);
  await standIn.webhooks.send('customer.subscription.created', subscription);
  await standIn.webhooks.send('invoice.paid', invoice);
}

/** Ends a subscription now: `customer.subscription.deleted`. */
export async function endSubscription(standIn: StandIn, subscription: StripeSubscriptionObject) {
  const now = standIn.store.nowSeconds();
  subscription.status = 'canceled';
  subscription.ended_at = now;
  subscription.canceled_at ??= now;
  await standIn.webhooks.send('customer.subscription.deleted', subscription);
}

/** Sets or clears cancel-at-period-end (the portal's Cancel plan / Renew plan). */
export async function setCancelAtPeriodEnd(
  standIn: StandIn,
  subscription: StripeSubscriptionObject,
  cancel: boolean,
) {
  if (subscription.cancel_at_period_end === cancel) return;
  subscription.cancel_at_period_end = cancel;
  subscription.cancel_at = cancel ? (subscription.items.data[0]?.current_period_end ?? null) : null;
  subscription.canceled_at = cancel ? standIn.store.nowSeconds() : null;
  await standIn.webhooks.send('customer.subscription.updated', subscription);
}

/**
 * Moves a subscription to `status` and sends `customer.subscription.updated`, preceded by
 * `invoice.payment_failed` for `past_due` and followed by `invoice.paid` back to `active`.
 */
export async function setSubscriptionStatus(
  standIn: StandIn,
  subscription: StripeSubscriptionObject,
  status: string,
) {
  const previous = subscription.status;
  subscription.status = status;
  if (status === 'past_due') {
    await standIn.webhooks.send(
      'invoice.payment_failed',
      issueInvoice(standIn, subscription, 'open'),
    );
  }
  await standIn.webhooks.send('customer.subscription.updated', subscription);
  if (status === 'active' && previous !== 'active') {
    await standIn.webhooks.send('invoice.paid', issueInvoice(standIn, subscription, 'paid'));
  }
}
