import type { Account, StoredMetrionKey, StoredProviderKey } from '../accounts/account.ts';
import type { ProviderId } from '../providers/provider-registry.ts';

/**
 * Accounts, their Metrion Key (lookup digest + sealed copy) and their stored provider keys.
 * All reads that decide access are strongly consistent. Every write the proxy depends on (the
 * account, its Metrion Key, its provider keys) is visible to `ProxyAdmission.admit` once it has
 * returned. Billing state has its own port (`BillingStore`).
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
}
