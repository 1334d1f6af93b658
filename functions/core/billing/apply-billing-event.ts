import type {
  BillingEvent,
  CheckoutCompletedEvent,
  InvoiceEvent,
  SubscriptionEvent,
} from './billing-event.ts';
import {
  type BillingState,
  compareMarks,
  compareSnapshots,
  type EventMark,
  eventMark,
  type SubscriptionHistory,
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

function snapshotOf(event: SubscriptionEvent): SubscriptionSnapshot {
  const deleted = event.type === 'customer.subscription.deleted';
  return {
    subscriptionId: event.subscriptionId,
    subscriptionCreatedEpochSeconds: event.subscriptionCreatedEpochSeconds,
    status: deleted ? 'canceled' : event.status,
    currentPeriodEndAt: event.currentPeriodEndAt,
    cancelAtPeriodEnd: deleted ? false : event.cancelAtPeriodEnd,
    mark: eventMark(event),
  };
}

/** The registers of one subscription after `event`: itself when the event is not newer. */
function applyToHistory(
  history: SubscriptionHistory,
  event: AppliableBillingEvent,
): SubscriptionHistory {
  const mark = eventMark(event);
  if (isInvoiceEvent(event)) {
    if (event.subscriptionId === null || !isNewer(mark, history.lastInvoice)) return history;
    const outcome = event.type === 'invoice.paid' ? 'paid' : 'payment_failed';
    return { ...history, lastInvoice: { subscriptionId: event.subscriptionId, outcome, mark } };
  }
  if (event.type === 'checkout.session.completed') {
    if (event.subscriptionId === null || !event.paid || !isNewer(mark, history.checkout)) {
      return history;
    }
    return { ...history, checkout: { subscriptionId: event.subscriptionId, mark } };
  }
  const snapshot = snapshotOf(event);
  if (history.snapshot !== undefined && compareSnapshots(snapshot, history.snapshot) <= 0) {
    return history;
  }
  return { ...history, snapshot };
}

/**
 * Applies one verified event (already checked with {@link billingEventTarget} and
 * {@link checkEventCustomer}) to an account's billing state. Pure. Each event writes one register
 * of its own subscription, and only when it is newer than what the register holds, so an older
 * event never undoes a newer one, a replay changes nothing, and no subscription's events touch
 * another's. Returns `state` itself when nothing changes.
 */
export function applyBillingEvent(state: BillingState, event: AppliableBillingEvent): BillingState {
  const { subscriptionId } = event;
  if (subscriptionId === null) return state;
  const history = state.subscriptions?.[subscriptionId] ?? {};
  const next = applyToHistory(history, event);
  if (next === history) return state;
  return { ...state, subscriptions: { ...state.subscriptions, [subscriptionId]: next } };
}
