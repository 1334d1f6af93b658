// Port: DataKeyProvider. External calls: AWS KMS GenerateDataKey and Decrypt (with EncryptionContext).
import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { ServiceUnavailableError } from '#core/errors.ts';
import type {
  DataKeyProvider,
  EncryptionContext,
  GeneratedDataKey,
} from '#core/ports/data-key-provider.ts';
import { integrityError } from '#core/vault/envelope.ts';

const DATA_KEY_BYTES = 32;

/**
 * KMS answers meaning "this blob will not open under this key and context", as opposed to KMS
 * being unreachable. KMS reports a context mismatch as InvalidCiphertextException; AccessDenied
 * comes from key-policy conditions on the context.
 */
const INTEGRITY_ERROR_NAMES: ReadonlySet<string> = new Set([
  'InvalidCiphertextException',
  'IncorrectKeyException',
  'AccessDeniedException',
]);

/**
 * KMS failed or answered something unusable; retrying later can succeed. The message is fixed
 * and names no key material; the SDK error is kept as `cause` for logs only.
 */
function kmsUnavailable(operation: string, cause?: unknown): ServiceUnavailableError {
  return new ServiceUnavailableError(
    'The key service is temporarily unavailable. Retry in a few seconds.',
    { service: 'kms', operation, cause },
  );
}

export interface KmsDataKeyProviderOptions {
  /** A configured client; credentials and region come from the composition root. */
  readonly client: KMSClient;
  /** Key ID or ARN of the symmetric KMS key that wraps data keys. Sent on every call. */
  readonly keyId: string;
}

/** Envelope encryption with AWS KMS: one GenerateDataKey per sealed secret, Decrypt to open. */
export class KmsDataKeyProvider implements DataKeyProvider {
  readonly #client: KMSClient;
  readonly #keyId: string;

  constructor(options: KmsDataKeyProviderOptions) {
    this.#client = options.client;
    this.#keyId = options.keyId;
  }

  /**
   * Calls GenerateDataKey (AES_256) with `context` as the EncryptionContext.
   * @throws ServiceUnavailableError on any failure: a new key cannot be an integrity problem.
   */
  async generateDataKey(context: EncryptionContext): Promise<GeneratedDataKey> {
    let output: { Plaintext?: Uint8Array; CiphertextBlob?: Uint8Array };
    try {
      output = await this.#client.send(
        new GenerateDataKeyCommand({
          KeyId: this.#keyId,
          KeySpec: 'AES_256',
          EncryptionContext: { ...context },
        }),
      );
    } catch (error) {
      throw kmsUnavailable('GenerateDataKey', error);
    }
    const { Plaintext: plaintext, CiphertextBlob: encrypted } = output;
    if (plaintext?.length !== DATA_KEY_BYTES || encrypted === undefined || encrypted.length === 0) {
      plaintext?.fill(0);
      throw kmsUnavailable('GenerateDataKey');
    }
    return { plaintext, encrypted };
  }

  /**
   * Calls Decrypt with the configured KeyId (so a blob from another key is refused) and `context`.
   * @throws SecretIntegrityError when KMS refuses the blob or the context.
   * @throws ServiceUnavailableError when KMS fails for any other reason.
   */
  async decryptDataKey(encrypted: Uint8Array, context: EncryptionContext): Promise<Uint8Array> {
    let plaintext: Uint8Array | undefined;
    try {
      const output = await this.#client.send(
        new DecryptCommand({
          KeyId: this.#keyId,
          CiphertextBlob: encrypted,
          EncryptionContext: { ...context },
        }),
      );
      plaintext = output.Plaintext;
    } catch (error) {
      if (error instanceof Error && INTEGRITY_ERROR_NAMES.has(error.name)) {
        throw integrityError();
      }
      throw kmsUnavailable('Decrypt', error);
    }
    if (plaintext?.length !== DATA_KEY_BYTES) {
      plaintext?.fill(0);
      throw integrityError();
    }
    return plaintext;
  }
}
