import type { BillingState } from '../billing/billing-state.ts';
import type { Plan } from '../billing/plans.ts';

/**
 * An account's billing state (Stripe customer, the subscriptions it has seen, the plan they
 * imply) and the ledger of Stripe events already applied. Reads are strongly consistent; every
 * write that changes the plan is visible to `ProxyAdmission.admit` once it has returned.
 */
export interface BillingStore {
  /** The account's billing state with its write version (strongly consistent), or undefined. */
  getBillingRecord(accountId: string): Promise<BillingRecord | undefined>;

  /**
   * Stores the account's Stripe customer id unless one is stored already (conditional write, so
   * two concurrent checkouts keep one). Returns the id stored afterwards: `customerId`, or the
   * one that was there first.
   * @throws NotFoundError for an unknown account.
   */
  setStripeCustomerId(accountId: string, customerId: string): Promise<string>;

  /**
   * Writes the subscriptions of `billing` and `plan` on the account, only if its billing version
   * is still `expectedVersion` (optimistic concurrency: a concurrent webhook never gets
   * overwritten by a state computed from an older read). Leaves the Stripe customer id and the
   * profile untouched. Returns false when the version moved on.
   * @throws NotFoundError for an unknown account.
   */
  saveBillingState(
    accountId: string,
    next: { readonly billing: BillingState; readonly plan: Plan },
    expectedVersion: number,
  ): Promise<boolean>;

  /** Whether the Stripe event id was recorded as processed and has not expired at `nowMs`. */
  isBillingEventProcessed(eventId: string, nowMs: number): Promise<boolean>;

  /**
   * Records the Stripe event id as processed until `expiresAtEpochSeconds` (conditional put).
   * Returns false when it was already recorded and unexpired at `nowMs`.
   */
  recordBillingEventProcessed(
    eventId: string,
    nowMs: number,
    expiresAtEpochSeconds: number,
  ): Promise<boolean>;
}

/** An account's billing state as stored, with the version `saveBillingState` compares. */
export interface BillingRecord {
  readonly plan: Plan;
  readonly billing: BillingState;
  /** 0 until the first `saveBillingState`; +1 per save. */
  readonly version: number;
}
