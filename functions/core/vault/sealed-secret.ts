/**
 * The stored form of an envelope-encrypted secret: a wrapped data key plus AES-256-GCM output.
 * All binary fields are base64. The encryption context is not stored; callers rebuild it from
 * the record's own account and purpose, so a blob copied to another record fails to open.
 */
export interface SealedSecret {
  readonly version: 1;
  /** Data key wrapped by the key-encryption service (KMS or the local master key). */
  readonly encryptedDataKey: string;
  /** 12-byte random IV, fresh per encryption. */
  readonly iv: string;
  readonly ciphertext: string;
  /** 16-byte GCM authentication tag. */
  readonly authTag: string;
}
