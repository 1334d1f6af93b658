import type { Account, StoredMetrionKey, StoredProviderKey } from '../accounts/account.ts';
import type { ProviderId } from '../providers/provider-registry.ts';

/** What the proxy needs about an account, read in one strongly consistent round trip. */
export interface ProxyAccountView {
  readonly account: Account;
  /** Absent when the account has no key stored for the provider. */
  readonly providerKey?: StoredProviderKey;
}

/**
 * Accounts, their Metrion Key (lookup digest + sealed copy) and their stored provider keys.
 * All reads that decide access are strongly consistent.
 */
export interface AccountStore {
  /**
   * Creates the account and its Metrion Key lookup item.
   * @throws AccountExistsError when the account id is taken.
   */
  createAccount(account: Account, metrionKey: StoredMetrionKey): Promise<void>;

  /** The account, or undefined. */
  getAccount(accountId: string): Promise<Account | undefined>;

  /** The account id owning a Metrion Key digest (strongly consistent GetItem), or undefined. */
  findAccountIdByKeyDigest(digest: string): Promise<string | undefined>;

  /** The account and its key for `provider` in a single consistent read, or undefined. */
  getProxyView(accountId: string, provider: ProviderId): Promise<ProxyAccountView | undefined>;

  /** The sealed viewable copy of the account's current Metrion Key, or undefined. */
  getMetrionKey(accountId: string): Promise<StoredMetrionKey | undefined>;

  /**
   * Replaces the Metrion Key. The old lookup item is deleted before the new one is written,
   * so an interruption leaves no valid key rather than two (fail closed).
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

  /** Removes the key; returns false when there was none. */
  deleteProviderKey(accountId: string, provider: ProviderId): Promise<boolean>;
}
