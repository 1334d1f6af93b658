import type { StoredProviderKey } from '../accounts/account.ts';
import type { ProviderId } from '../providers/provider-registry.ts';

/**
 * The provider keys an account stored (sealed), one per provider. Reads are strongly
 * consistent; once a write has returned, `ProxyAdmission.admit` hands out what it wrote.
 */
export interface ProviderKeyStore {
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
