import type {
  BillingEvent,
  CheckoutCompletedEvent,
  InvoiceEvent,
  SubscriptionEvent,
} from './billing-event.ts';
import {
  type BillingState,
  compareMarks,
  type EventMark,
  eventMark,
  type SubscriptionSnapshot,
} from './billing-state.ts';

/** An event billing acts on (everything but `unhandled`). */
export type AppliableBillingEvent = CheckoutCompletedEvent | SubscriptionEvent | InvoiceEvent;

/** Why a verified event is acknowledged without changing any account. */
export type IgnoredReason =
  | 'unhandled_event_type'
  | 'no_account_reference'
  | 'account_reference_mismatch'
  | 'unknown_account'
  | 'customer_mismatch'
  | 'not_a_subscription'
  | 'payment_pending';

export type EventTarget =
  | { readonly accountId: string; readonly event: AppliableBillingEvent }
  | { readonly ignored: IgnoredReason };

/**
 * The one account an event may change. Checkout names it in `client_reference_id` (and
 * `metadata.accountId`; when both are set they must agree); subscription and invoice events in
 * the subscription's `metadata.accountId`, which checkout set. No other field is trusted, so a
 * webhook naming account A can only ever reach A; {@link checkEventCustomer} then cross-checks A's
 * stored Stripe customer.
 */
export function billingEventTarget(event: BillingEvent): EventTarget {
  if (event.type === 'unhandled') return { ignored: 'unhandled_event_type' };
  if (event.type === 'checkout.session.completed') {
    const { clientReferenceId, metadataAccountId } = event;
    if (
      clientReferenceId !== null &&
      metadataAccountId !== null &&
      clientReferenceId !== metadataAccountId
    ) {
      return { ignored: 'account_reference_mismatch' };
    }
    const accountId = clientReferenceId ?? metadataAccountId;
    return accountId === null || accountId === ''
      ? { ignored: 'no_account_reference' }
      : { accountId, event };
  }
  const accountId = event.metadataAccountId;
  return accountId === null || accountId === ''
    ? { ignored: 'no_account_reference' }
    : { accountId, event };
}

/**
 * The event's customer must be the customer stored on the account (created by Metrion before the
 * first checkout). An account without a stored customer accepts no billing event.
 */
export function checkEventCustomer(
  event: AppliableBillingEvent,
  storedCustomerId: string | undefined,
): IgnoredReason | undefined {
  if (storedCustomerId === undefined || event.customerId !== storedCustomerId) {
    return 'customer_mismatch';
  }
  if (event.type === 'checkout.session.completed' && event.subscriptionId === null) {
    return 'not_a_subscription';
  }
  if (event.type === 'checkout.session.completed' && !event.paid) return 'payment_pending';
  if (isInvoiceEvent(event) && event.subscriptionId === null) {
    return 'not_a_subscription';
  }
  return undefined;
}

function isInvoiceEvent(event: AppliableBillingEvent): event is InvoiceEvent {
  return event.type === 'invoice.paid' || event.type === 'invoice.payment_failed';
}

function isNewer(candidate: EventMark, current: { readonly mark: EventMark } | undefined): boolean {
  return current === undefined || compareMarks(candidate, current.mark) > 0;
}

function snapshotOf(event: CheckoutCompletedEvent | SubscriptionEvent): SubscriptionSnapshot {
  const mark = eventMark(event);
  if (event.type === 'checkout.session.completed') {
    // A paid subscription-mode checkout means an active subscription; its period end arrives with
    // `customer.subscription.created`, which outranks this snapshot in the same second.
    return {
      subscriptionId: event.subscriptionId ?? '',
      status: 'active',
      currentPeriodEndAt: null,
      cancelAtPeriodEnd: false,
      mark,
    };
  }
  return {
    subscriptionId: event.subscriptionId,
    status: event.type === 'customer.subscription.deleted' ? 'canceled' : event.status,
    currentPeriodEndAt: event.currentPeriodEndAt,
    cancelAtPeriodEnd:
      event.type === 'customer.subscription.deleted' ? false : event.cancelAtPeriodEnd,
    mark,
  };
}

/**
 * Applies one verified event (already checked with {@link billingEventTarget} and
 * {@link checkEventCustomer}) to an account's billing state. Pure. Returns `state` itself when
 * the event changes nothing: it is older than what the state holds (never undoes a newer event),
 * or it was applied before (idempotent).
 */
export function applyBillingEvent(state: BillingState, event: AppliableBillingEvent): BillingState {
  const mark = eventMark(event);
  if (isInvoiceEvent(event)) {
    if (event.subscriptionId === null || !isNewer(mark, state.lastInvoice)) return state;
    const outcome = event.type === 'invoice.paid' ? 'paid' : 'payment_failed';
    return { ...state, lastInvoice: { subscriptionId: event.subscriptionId, outcome, mark } };
  }
  if (!isNewer(mark, state.subscription)) return state;
  if (event.type === 'checkout.session.completed' && event.subscriptionId === null) return state;
  return { ...state, subscription: snapshotOf(event) };
}
