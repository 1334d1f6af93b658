import type { BillingEvent, SubscriptionStatus } from './billing-event.ts';
import { PLAN_LIMITS, type Plan, type PlanLimits } from './plans.ts';

/**
 * Where an event sits in Stripe's timeline. Marks are compared field by field: `created` second,
 * then the lifecycle rank of the event type (Stripe stamps several events with the same second,
 * e.g. `checkout.session.completed` and `customer.subscription.created`), then the event id, so
 * two different events never compare equal and every replica picks the same winner.
 */
export interface EventMark {
  readonly createdEpochSeconds: number;
  readonly rank: number;
  readonly eventId: string;
}

/** The subscription as the newest applied subscription event described it. */
export interface SubscriptionSnapshot {
  /** `sub_…` */
  readonly subscriptionId: string;
  /** The subscription's own `created`; snapshots of a newer subscription always win. */
  readonly subscriptionCreatedEpochSeconds: number;
  readonly status: SubscriptionStatus;
  /** ISO instant the paid period ends; null until a subscription event reported it. */
  readonly currentPeriodEndAt: string | null;
  readonly cancelAtPeriodEnd: boolean;
  /** The event that wrote this snapshot. */
  readonly mark: EventMark;
}

/** The newest paid subscription-mode checkout (Pro before its subscription event arrives). */
export interface CompletedCheckout {
  readonly subscriptionId: string;
  readonly mark: EventMark;
}

/** The newest invoice outcome of a subscription (renewal paid or failed). */
export interface InvoiceOutcome {
  readonly subscriptionId: string;
  readonly outcome: 'paid' | 'payment_failed';
  readonly mark: EventMark;
}

/** What the account knows of one subscription: one register per kind of event. */
export interface SubscriptionHistory {
  readonly snapshot?: SubscriptionSnapshot;
  readonly checkout?: CompletedCheckout;
  readonly lastInvoice?: InvoiceOutcome;
}

/**
 * The billing state stored on the account item (the item the proxy reads).
 *
 * Every subscription the account has seen is kept by id, so a second subscription (two
 * Checkout pages paid) can never hide the first. Order independence: per subscription, the
 * snapshot, the checkout and the last invoice are last-writer-wins registers, each keeping the
 * value of the newest event that writes it ({@link EventMark}). Applying an event is then
 * commutative, associative and idempotent: any delivery order, with any duplicates, ends in the
 * same state, the one the newest events describe. What the Plan page and the proxy see (the plan,
 * {@link currentSubscription}) is derived from the registers, never stored: Pro while any live
 * subscription grants it.
 *
 * Why marks rather than re-fetching the subscription from Stripe on each event: no extra Stripe
 * call (and no Stripe outage) on the webhook path, a pure function that a property test can
 * check over every permutation, and a re-fetch would still need an ordering guard, because two
 * concurrent fetches can land their writes in the wrong order.
 */
export interface BillingState {
  /** `cus_…`, written once (conditional write) before the first Checkout Session. */
  readonly stripeCustomerId?: string;
  /** Every subscription the account has seen, by subscription id (`sub_…`). */
  readonly subscriptions?: Readonly<Record<string, SubscriptionHistory>>;
}

/** `none` when the account never had a subscription; otherwise Stripe's subscription status. */
export type BillingStatus = SubscriptionStatus | 'none';

/** Statuses that keep Pro: `past_due` keeps it while Stripe retries the payment (with a warning). */
const PRO_STATUSES: ReadonlySet<BillingStatus> = new Set(['active', 'trialing', 'past_due']);

/** Statuses after which the subscription can never become active again. */
const ENDED_STATUSES: ReadonlySet<BillingStatus> = new Set(['canceled', 'incomplete_expired']);

/** Lifecycle rank per event type: the tie-break for events stamped with the same second. */
const EVENT_RANK = {
  'checkout.session.completed': 0,
  'customer.subscription.created': 1,
  'invoice.payment_failed': 2,
  'invoice.paid': 3,
  'customer.subscription.updated': 4,
  'customer.subscription.deleted': 5,
} as const satisfies Record<Exclude<BillingEvent['type'], 'unhandled'>, number>;

/** The mark of an event that billing applies. */
export function eventMark(event: Exclude<BillingEvent, { type: 'unhandled' }>): EventMark {
  return {
    createdEpochSeconds: event.createdEpochSeconds,
    rank: EVENT_RANK[event.type],
    eventId: event.eventId,
  };
}

/** Negative when `a` is older than `b`, positive when newer, 0 only for the same event. */
export function compareMarks(a: EventMark, b: EventMark): number {
  if (a.createdEpochSeconds !== b.createdEpochSeconds) {
    return a.createdEpochSeconds - b.createdEpochSeconds;
  }
  if (a.rank !== b.rank) return a.rank - b.rank;
  if (a.eventId === b.eventId) return 0;
  return a.eventId < b.eventId ? -1 : 1;
}

/** Snapshot order: the newer subscription first, then the newer event. */
export function compareSnapshots(
  a: Pick<SubscriptionSnapshot, 'subscriptionCreatedEpochSeconds' | 'mark'>,
  b: Pick<SubscriptionSnapshot, 'subscriptionCreatedEpochSeconds' | 'mark'>,
): number {
  if (a.subscriptionCreatedEpochSeconds !== b.subscriptionCreatedEpochSeconds) {
    return a.subscriptionCreatedEpochSeconds - b.subscriptionCreatedEpochSeconds;
  }
  return compareMarks(a.mark, b.mark);
}

/** One subscription as derived from its registers. */
export interface CurrentSubscription {
  readonly subscriptionId: string;
  readonly status: SubscriptionStatus;
  readonly currentPeriodEndAt: string | null;
  readonly cancelAtPeriodEnd: boolean;
  /** The subscription's `created` (the checkout's second until its own events arrive). */
  readonly createdEpochSeconds: number;
}

function invoiceAdjusted(snapshot: SubscriptionSnapshot, invoice: InvoiceOutcome | undefined) {
  if (invoice === undefined || compareMarks(invoice.mark, snapshot.mark) < 0) {
    return snapshot.status;
  }
  if (invoice.outcome === 'payment_failed') {
    return snapshot.status === 'active' || snapshot.status === 'trialing'
      ? 'past_due'
      : snapshot.status;
  }
  return ['past_due', 'unpaid', 'incomplete'].includes(snapshot.status)
    ? 'active'
    : snapshot.status;
}

/**
 * One subscription as its registers describe it, or undefined while only an invoice is known:
 * - the snapshot, whose status a newer invoice outcome adjusts (a failed renewal turns `active`
 *   into `past_due`; a paid invoice turns `past_due`/`unpaid`/`incomplete` into `active`);
 * - without a snapshot, a paid checkout counts as active (period end unknown) until the
 *   subscription's own events arrive.
 */
function subscriptionOf(
  subscriptionId: string,
  history: SubscriptionHistory,
): CurrentSubscription | undefined {
  const { snapshot, checkout } = history;
  if (snapshot !== undefined) {
    return {
      subscriptionId,
      status: invoiceAdjusted(snapshot, history.lastInvoice),
      currentPeriodEndAt: snapshot.currentPeriodEndAt,
      cancelAtPeriodEnd: snapshot.cancelAtPeriodEnd,
      createdEpochSeconds: snapshot.subscriptionCreatedEpochSeconds,
    };
  }
  if (checkout === undefined) return undefined;
  return {
    subscriptionId,
    status: 'active',
    currentPeriodEndAt: null,
    cancelAtPeriodEnd: false,
    createdEpochSeconds: checkout.mark.createdEpochSeconds,
  };
}

/**
 * Oldest first: by `created`, then by id (the same order on every replica). The ids are the keys
 * of one record, so two are never equal.
 */
function byAge(a: CurrentSubscription, b: CurrentSubscription): number {
  if (a.createdEpochSeconds !== b.createdEpochSeconds) {
    return a.createdEpochSeconds - b.createdEpochSeconds;
  }
  return a.subscriptionId < b.subscriptionId ? -1 : 1;
}

/** Every subscription the account knows with a status, oldest first. */
export function knownSubscriptions(state: BillingState): CurrentSubscription[] {
  return Object.entries(state.subscriptions ?? {})
    .map(([subscriptionId, history]) => subscriptionOf(subscriptionId, history))
    .filter((subscription) => subscription !== undefined)
    .sort(byAge);
}

const isLive = (subscription: CurrentSubscription): boolean =>
  !ENDED_STATUSES.has(subscription.status);

/**
 * The subscription the Plan page shows: the oldest live one (the one the account keeps when a
 * second one slipped through), else the newest ended one, else undefined.
 */
export function currentSubscription(state: BillingState): CurrentSubscription | undefined {
  const known = knownSubscriptions(state);
  return known.find(isLive) ?? known.at(-1);
}

/** Stripe's status of the current subscription, or `none`. */
export function billingStatus(state: BillingState): BillingStatus {
  return currentSubscription(state)?.status ?? 'none';
}

/** The instant one subscription's Pro ends (see {@link proUntilMs}). */
function proUntilOf(subscription: CurrentSubscription): number {
  if (!PRO_STATUSES.has(subscription.status)) return NEVER_PRO_MS;
  if (subscription.cancelAtPeriodEnd && subscription.currentPeriodEndAt !== null) {
    const periodEndMs = Date.parse(subscription.currentPeriodEndAt);
    return Number.isNaN(periodEndMs) ? NEVER_PRO_MS : periodEndMs;
  }
  return PRO_INDEFINITELY_MS;
}

/**
 * Whether the billing state entitles the account to Pro at `nowMs`: while any subscription
 * does. A subscription set to cancel at period end keeps Pro until `currentPeriodEndAt` and not
 * a second longer: the proxy's next request after that instant is Free even if
 * `customer.subscription.deleted` has not arrived yet (the deleted event then makes it durable
 * on the stored `plan`).
 */
export function entitledToPro(state: BillingState, nowMs: number): boolean {
  return knownSubscriptions(state).some((subscription) => nowMs < proUntilOf(subscription));
}

/** The plan implied by the billing state at `nowMs` (what `saveBillingState` stores as `plan`). */
export function planFromBilling(state: BillingState, nowMs: number): Plan {
  return entitledToPro(state, nowMs) ? 'pro' : 'free';
}

/**
 * The plan to enforce at `nowMs`: billing decides once the account has had a subscription;
 * before that, the stored `plan` (Free by default, or set by an operator through
 * `AccountStore.updateProfile`). Limits and the proxy should read this, not `account.plan`.
 */
export function effectivePlan(
  account: { readonly plan: Plan; readonly billing?: BillingState },
  nowMs: number,
): Plan {
  if (account.billing === undefined || currentSubscription(account.billing) === undefined) {
    return account.plan;
  }
  return planFromBilling(account.billing, nowMs);
}

/** `proUntilMs` of an account that is Free at every instant. */
export const NEVER_PRO_MS = Number.MIN_SAFE_INTEGER;
/** `proUntilMs` of an account that stays Pro until something is written. */
export const PRO_INDEFINITELY_MS = Number.MAX_SAFE_INTEGER;

/**
 * The instant Pro ends, as one number: `effectivePlan(account, t)` is `pro` exactly when
 * `t < proUntilMs(account)`. Time enters `effectivePlan` only through a canceling period's end,
 * so the plan over time is "Pro, then Free" (or constant), and this number captures it. Stores
 * keep it next to their counters, so a conditional write can decide the plan at `:now` without
 * reading billing state first.
 */
export function proUntilMs(account: {
  readonly plan: Plan;
  readonly billing?: BillingState;
}): number {
  const known = account.billing === undefined ? [] : knownSubscriptions(account.billing);
  if (known.length === 0) return account.plan === 'pro' ? PRO_INDEFINITELY_MS : NEVER_PRO_MS;
  return Math.max(...known.map(proUntilOf));
}

/** True while a subscription exists in Stripe that could still bill or become active again. */
export function hasOpenSubscription(state: BillingState): boolean {
  return knownSubscriptions(state).some(isLive);
}

/**
 * The subscriptions to cancel and refund: every live one but the oldest, among those whose own
 * events have arrived (they carry Stripe's `created`, so every delivery order picks the same one
 * to keep). Two Checkout pages paid before either webhook arrived is a race Stripe allows.
 */
export function duplicateSubscriptions(state: BillingState): string[] {
  const live = Object.entries(state.subscriptions ?? {})
    .filter(([, history]) => history.snapshot !== undefined)
    .map(([subscriptionId, history]) => subscriptionOf(subscriptionId, history))
    .filter(
      (subscription): subscription is CurrentSubscription =>
        subscription !== undefined && isLive(subscription),
    )
    .sort(byAge);
  return live.slice(1).map((subscription) => subscription.subscriptionId);
}

/**
 * The limits in force for an account at `nowMs`: `PLAN_LIMITS` of its {@link effectivePlan}.
 * The one way the proxy, the usage recorder and alerts read "what does this account get".
 */
export function planLimitsOf(
  account: { readonly plan: Plan; readonly billing?: BillingState },
  nowMs: number,
): PlanLimits {
  return PLAN_LIMITS[effectivePlan(account, nowMs)];
}
