import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  DecryptCommand,
  GenerateDataKeyCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  type KMSClient,
  NotFoundException,
} from '@aws-sdk/client-kms';
import type { AwsClientStub } from 'aws-sdk-client-mock';

/**
 * Makes an aws-sdk-client-mock stub behave like KMS for one symmetric key: GenerateDataKey
 * really wraps a fresh key (AES-256-GCM under a secret held here, key id and EncryptionContext
 * as additional data) and Decrypt really unwraps it, so a wrong context, a tampered blob or
 * another KeyId fail with the exceptions KMS throws. Independent of the code under test.
 *
 * `rotate()` does what KMS's key rotation does: new data keys are wrapped under new key
 * material, and every blob names the material it was wrapped under, so old blobs still open.
 */
export function behaveLikeKms(kms: AwsClientStub<KMSClient>, keyId: string): { rotate(): void } {
  const materials = [randomBytes(32)];
  const metadata = { $metadata: {} };

  kms.on(GenerateDataKeyCommand).callsFake((input) => {
    if (input.KeyId !== keyId) {
      throw new NotFoundException({ message: `Key '${input.KeyId}' does not exist`, ...metadata });
    }
    const length = dataKeyLength(input.KeySpec, input.NumberOfBytes);
    const plaintext = new Uint8Array(randomBytes(length));
    const iv = randomBytes(12);
    const version = materials.length - 1;
    const cipher = createCipheriv('aes-256-gcm', materials[version] as Buffer, iv, {
      authTagLength: 16,
    });
    cipher.setAAD(additionalData(keyId, input.EncryptionContext));
    const wrapped = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const header = Buffer.from(keyId, 'utf8');
    const blob = Buffer.concat([
      Buffer.of(header.length),
      header,
      Buffer.of(version),
      iv,
      cipher.getAuthTag(),
      wrapped,
    ]);
    return { KeyId: keyId, Plaintext: plaintext, CiphertextBlob: new Uint8Array(blob) };
  });

  kms.on(DecryptCommand).callsFake((input) => {
    const blob = Buffer.from(input.CiphertextBlob ?? new Uint8Array(0));
    const headerLength = blob[0] ?? 0;
    const blobKeyId = blob.subarray(1, 1 + headerLength).toString('utf8');
    if (input.KeyId !== undefined && blobKeyId !== input.KeyId) {
      throw new IncorrectKeyException({
        message:
          'The key ID in the request does not identify the CMK used to encrypt the ciphertext.',
        ...metadata,
      });
    }
    try {
      const material = materials[blob[1 + headerLength] ?? -1];
      if (material === undefined) throw new Error('unknown key material');
      const ivStart = 2 + headerLength;
      const tagStart = ivStart + 12;
      const wrappedStart = tagStart + 16;
      if (blob.length <= wrappedStart) throw new Error('short blob');
      const decipher = createDecipheriv('aes-256-gcm', material, blob.subarray(ivStart, tagStart), {
        authTagLength: 16,
      });
      decipher.setAAD(additionalData(blobKeyId, input.EncryptionContext));
      decipher.setAuthTag(blob.subarray(tagStart, wrappedStart));
      const plaintext = Buffer.concat([
        decipher.update(blob.subarray(wrappedStart)),
        decipher.final(),
      ]);
      return { KeyId: blobKeyId, Plaintext: new Uint8Array(plaintext) };
    } catch {
      throw new InvalidCiphertextException({ message: '', ...metadata });
    }
  });

  return { rotate: () => materials.push(randomBytes(32)) };
}

function dataKeyLength(keySpec: string | undefined, numberOfBytes: number | undefined): number {
  if (keySpec === 'AES_256' && numberOfBytes === undefined) return 32;
  if (keySpec === 'AES_128' && numberOfBytes === undefined) return 16;
  if (keySpec === undefined && numberOfBytes !== undefined) return numberOfBytes;
  throw Object.assign(new Error('Specify either KeySpec or NumberOfBytes'), {
    name: 'ValidationException',
  });
}

/** KMS treats the context as an unordered map, so sort it before binding. */
function additionalData(keyId: string, context: Record<string, string> | undefined): Buffer {
  const entries = Object.entries(context ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify([keyId, entries]), 'utf8');
}
