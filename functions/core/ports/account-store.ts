import type { Account, StoredMetrionKey } from '../accounts/account.ts';
import type { BillingState } from '../billing/billing-state.ts';
import type { Plan } from '../billing/plans.ts';

/**
 * Accounts: their profile and billing state. The Metrion Key and the provider keys have their
 * own ports (`MetrionKeyStore`, `ProviderKeyStore`). All reads that decide access are strongly
 * consistent. Every write the proxy depends on (the account, its billing state) is visible to
 * `ProxyAdmission.admit` once it has returned.
 */
export interface AccountStore {
  /**
   * Creates the account and its Metrion Key lookup item.
   * @throws AccountExistsError when the account id is taken.
   */
  createAccount(account: Account, metrionKey: StoredMetrionKey): Promise<void>;

  /** The account, or undefined. */
  getAccount(accountId: string): Promise<Account | undefined>;

  /** Updates display name and/or currency; returns the updated account. */
  updateProfile(
    accountId: string,
    changes: Partial<Pick<Account, 'displayName' | 'currency' | 'plan'>>,
  ): Promise<Account>;

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
   * Writes the registers of `billing` (subscription, checkout, invoice) and `plan` on the account item,
   * only if its billing version is still `expectedVersion` (optimistic concurrency: a concurrent
   * webhook never gets overwritten by a state computed from an older read). Leaves the Stripe
   * customer id and the profile untouched. Returns false when the version moved on.
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
