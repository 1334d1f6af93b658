/**
 * Where each account's data key is kept, wrapped by the key-encryption service (KMS or the local
 * master key): one per account, shared by all of its sealed secrets, created on the first seal.
 * The store only holds the wrapped form; unwrapping it takes the account's encryption context.
 */
export interface AccountDataKeyStore {
  /** The account's wrapped data key (base64), or undefined before its first sealed secret. */
  getAccountDataKey(accountId: string): Promise<string | undefined>;

  /**
   * Stores `encryptedDataKey` (base64) unless the account already has one, read consistently.
   * @returns The key the account has afterwards: the given one, or the one stored before, so
   *   concurrent first seals agree on one key.
   */
  putAccountDataKeyIfAbsent(accountId: string, encryptedDataKey: string): Promise<string>;
}
