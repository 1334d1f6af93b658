import type { StoredMetrionKey } from '../accounts/account.ts';

/**
 * An account's Metrion Key: the sealed viewable copy and its replacement. Reads are strongly
 * consistent; once `replaceMetrionKey` has returned, `ProxyAdmission.admit` resolves the new
 * digest and no longer the old one.
 */
export interface MetrionKeyStore {
  /** The sealed viewable copy of the account's current Metrion Key, or undefined. */
  getMetrionKey(accountId: string): Promise<StoredMetrionKey | undefined>;

  /**
   * Replaces the Metrion Key. The old lookup item is deleted before the new one is written,
   * so an interruption leaves no valid key rather than two (fail closed).
   * @throws NotFoundError for an unknown account.
   * @throws MetrionKeyConflictError when a concurrent replacement won (the profile no longer
   *   names the key read before, or names another one after this write).
   */
  replaceMetrionKey(accountId: string, next: StoredMetrionKey): Promise<void>;
}
