// Port: DataKeyProvider. External calls: none (AES-256-GCM under a local master key, node:crypto).
import type {
  DataKeyProvider,
  EncryptionContext,
  GeneratedDataKey,
} from '#core/ports/data-key-provider.ts';
import type { Random } from '#core/ports/random.ts';
import {
  AUTH_TAG_BYTES,
  DATA_KEY_BYTES,
  IV_BYTES,
  integrityError,
  openWithDataKey,
  sealWithDataKey,
} from '#core/vault/envelope.ts';

/** First byte of every wrapped key, so the layout can change without guessing. */
const WRAPPED_KEY_VERSION = 1;
/** version (1) | iv (12) | tag (16) | wrapped data key (32). */
const WRAPPED_KEY_BYTES = 1 + IV_BYTES + AUTH_TAG_BYTES + DATA_KEY_BYTES;

export interface LocalDataKeyProviderOptions {
  /** 32-byte key-encryption key, usually from `loadOrCreateMasterKey`. Copied on construction. */
  readonly masterKey: Uint8Array;
  /** Source of data keys and wrapping IVs. */
  readonly random: Random;
}

/**
 * Local-mode stand-in for KMS: data keys are wrapped with AES-256-GCM under a master key, with
 * the canonical encryption context as additional data, exactly like the secret envelope itself.
 */
export class LocalDataKeyProvider implements DataKeyProvider {
  readonly #masterKey: Uint8Array;
  readonly #random: Random;

  constructor(options: LocalDataKeyProviderOptions) {
    if (options.masterKey.length !== DATA_KEY_BYTES) {
      throw new RangeError(`The master key must be ${DATA_KEY_BYTES} bytes.`);
    }
    this.#masterKey = Uint8Array.from(options.masterKey);
    this.#random = options.random;
  }

  /** Draws a random 32-byte data key and wraps it bound to `context`. */
  async generateDataKey(context: EncryptionContext): Promise<GeneratedDataKey> {
    const plaintext = Uint8Array.from(this.#random.bytes(DATA_KEY_BYTES));
    if (plaintext.length !== DATA_KEY_BYTES) {
      throw new RangeError(`A data key must be ${DATA_KEY_BYTES} bytes.`);
    }
    const wrapped = sealWithDataKey(this.#masterKey, plaintext, context, this.#random);
    const encrypted = new Uint8Array(WRAPPED_KEY_BYTES);
    encrypted[0] = WRAPPED_KEY_VERSION;
    encrypted.set(wrapped.iv, 1);
    encrypted.set(wrapped.authTag, 1 + IV_BYTES);
    encrypted.set(wrapped.ciphertext, 1 + IV_BYTES + AUTH_TAG_BYTES);
    return { plaintext, encrypted };
  }

  /**
   * Unwraps a key produced by `generateDataKey` under the same master key and context.
   * @throws SecretIntegrityError for an unknown version, a wrong length, a tampered blob, another
   *   master key or another context.
   */
  async decryptDataKey(encrypted: Uint8Array, context: EncryptionContext): Promise<Uint8Array> {
    if (encrypted.length !== WRAPPED_KEY_BYTES || encrypted[0] !== WRAPPED_KEY_VERSION) {
      throw integrityError();
    }
    const tagStart = 1 + IV_BYTES;
    const ciphertextStart = tagStart + AUTH_TAG_BYTES;
    return openWithDataKey(
      this.#masterKey,
      {
        iv: encrypted.slice(1, tagStart),
        authTag: encrypted.slice(tagStart, ciphertextStart),
        ciphertext: encrypted.slice(ciphertextStart),
      },
      context,
    );
  }
}
