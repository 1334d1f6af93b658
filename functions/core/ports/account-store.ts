import type { Account, StoredMetrionKey, StoredProviderKey } from '../accounts/account.ts';
import type { BillingState } from '../billing/billing-state.ts';
import type { Plan } from '../billing/plans.ts';
import type { ProviderId } from '../providers/provider-registry.ts';

/**
 * Accounts, their Metrion Key (lookup digest + sealed copy) and their stored provider keys.
 * All reads that decide access are strongly consistent. Every write the proxy depends on (the
 * account, its billing state, its Metrion Key, its provider keys) is visible to
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

  /** The sealed viewable copy of the account's current Metrion Key, or undefined. */
  getMetrionKey(accountId: string): Promise<StoredMetrionKey | undefined>;

  /**
   * Replaces the Metrion Key. The old lookup item is deleted before the new one is written,
   * so an interruption leaves no valid key rather than two (fail closed).
   * @throws MetrionKeyConflictError when a concurrent replacement won (the profile no longer
   *   names the key read before, or names another one after this write).
   */
  replaceMetrionKey(accountId: string, next: StoredMetrionKey): Promise<void>;

  /** Updates display name and/or currency; returns the updated account. */
  updateProfile(
    accountId: string,
    changes: Partial<Pick<Account, 'displayName' | 'currency' | 'plan'>>,
  ): Promise<Account>;

  /** Adds or replaces the key for one provider. */
  putProviderKey(key: StoredProviderKey): Promise<void>;

  /** Every stored provider key of the account, ordered by provider id. */
  listProviderKeys(accountId: string): Promise<StoredProviderKey[]>;

  /**
   * Removes the key; returns false when there was none. Either way, once it returns the proxy
   * no longer holds the key (a retry after a failure completes an interrupted delete).
   */
  deleteProviderKey(accountId: string, provider: ProviderId): Promise<boolean>;

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
