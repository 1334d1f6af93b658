/**
 * Key-encryption service for envelope encryption: KMS in AWS, a local master key in local mode.
 * The encryption context is bound into every wrapped data key; decrypting with a different
 * context must fail.
 */
export type EncryptionContext = Readonly<Record<string, string>>;

export interface GeneratedDataKey {
  /** 32 bytes for AES-256-GCM. Callers must not persist it. */
  readonly plaintext: Uint8Array;
  /** The same key wrapped by the master key; safe to store next to the ciphertext. */
  readonly encrypted: Uint8Array;
}

export interface DataKeyProvider {
  /** Creates a fresh 256-bit data key bound to `context`. */
  generateDataKey(context: EncryptionContext): Promise<GeneratedDataKey>;
  /**
   * Unwraps a data key produced by `generateDataKey` with the same context.
   * @throws SecretIntegrityError when the blob was tampered with or the context differs.
   */
  decryptDataKey(encrypted: Uint8Array, context: EncryptionContext): Promise<Uint8Array>;
}
