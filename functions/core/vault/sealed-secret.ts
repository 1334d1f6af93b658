/**
 * The stored form of an envelope-encrypted secret: a wrapped data key plus AES-256-GCM output.
 * All binary fields are base64. The encryption context is not stored; callers rebuild it from
 * the record's own account and purpose, so a blob copied to another record fails to open.
 *
 * - Version 1: a data key for this secret alone, wrapped under the secret's full context
 *   (`{account, provider, purpose}`), which is also the GCM additional data.
 * - Version 2: the account's data key (the same wrapped bytes in every secret of the account),
 *   wrapped under `{account, purpose: 'account-secrets'}`; the secret's full context is the GCM
 *   additional data, which binds the secret to its provider and purpose.
 */
export interface SealedSecret {
  readonly version: 1 | 2;
  /** Data key wrapped by the key-encryption service (KMS or the local master key). */
  readonly encryptedDataKey: string;
  /** 12-byte random IV, fresh per encryption. */
  readonly iv: string;
  readonly ciphertext: string;
  /** 16-byte GCM authentication tag. */
  readonly authTag: string;
}

/** What `seal` writes today. */
export const CURRENT_SEALED_VERSION = 2;
