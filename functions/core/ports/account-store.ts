import type { Account, StoredMetrionKey } from '../accounts/account.ts';

/**
 * Accounts: their profile. The Metrion Key, the provider keys and the billing state have ports
 * of their own (`MetrionKeyStore`, `ProviderKeyStore`, `BillingStore`). All reads that decide
 * access are strongly consistent. Every write the proxy depends on is visible to
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
}
