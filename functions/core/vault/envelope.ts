import { Buffer } from 'node:buffer';
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { SecretIntegrityError } from '../errors.ts';
import type { EncryptionContext } from '../ports/data-key-provider.ts';
import type { Random } from '../ports/random.ts';

/** AES-256 needs a 32-byte key. */
export const DATA_KEY_BYTES = 32;
/** GCM's recommended nonce size; anything else makes Node hash the IV through GHASH. */
export const IV_BYTES = 12;
/** Full-length GCM tag. Shorter tags are refused, never accepted as a prefix match. */
export const AUTH_TAG_BYTES = 16;

const ALGORITHM = 'aes-256-gcm';

/** The raw output of one AES-256-GCM encryption. */
export interface GcmCiphertext {
  readonly iv: Uint8Array;
  readonly ciphertext: Uint8Array;
  readonly authTag: Uint8Array;
}

/**
 * Serialises an encryption context so that equal maps always give equal bytes: entries sorted
 * by key, as a JSON array of `[key, value]` pairs (unambiguous, unlike `k=v` joins).
 * This string is the GCM additional data, so changing it makes every stored secret unreadable.
 */
export function canonicalContext(context: EncryptionContext): string {
  const entries = Object.keys(context)
    .sort()
    .map((key) => [key, context[key]]);
  return JSON.stringify(entries);
}

/**
 * Encrypts `plaintext` with AES-256-GCM under `dataKey`, binding `context` as additional
 * authenticated data. Draws a fresh 12-byte IV from `random` on every call.
 * @throws RangeError when `dataKey` is not 32 bytes or `random` returns a wrong-sized IV.
 */
export function sealWithDataKey(
  dataKey: Uint8Array,
  plaintext: Uint8Array,
  context: EncryptionContext,
  random: Random,
): GcmCiphertext {
  if (dataKey.length !== DATA_KEY_BYTES) {
    throw new RangeError(`A data key must be ${DATA_KEY_BYTES} bytes.`);
  }
  const iv = random.bytes(IV_BYTES);
  if (iv.length !== IV_BYTES) {
    throw new RangeError(`The IV must be ${IV_BYTES} bytes.`);
  }
  // GCM's default tag is the full AUTH_TAG_BYTES; it is a stream mode, so final() adds no bytes.
  const cipher = createCipheriv(ALGORITHM, dataKey, iv);
  cipher.setAAD(Buffer.from(canonicalContext(context), 'utf8'));
  const ciphertext = Uint8Array.from(cipher.update(plaintext));
  cipher.final();
  return { iv: Uint8Array.from(iv), ciphertext, authTag: Uint8Array.from(cipher.getAuthTag()) };
}

/**
 * Decrypts and authenticates the output of {@link sealWithDataKey}.
 * @throws SecretIntegrityError when the key, the context, the IV, the tag or the ciphertext
 *   differ from what was sealed, or the tag is not the full 16 bytes. The message names no secret.
 */
export function openWithDataKey(
  dataKey: Uint8Array,
  sealed: GcmCiphertext,
  context: EncryptionContext,
): Uint8Array {
  // A wrong-sized key or IV fails in node:crypto or on the tag; each ends in the catch.
  let plaintext: Buffer | undefined;
  try {
    // authTagLength pins the tag size: without it Node accepts a 4-byte prefix of the tag.
    const decipher = createDecipheriv(ALGORITHM, dataKey, sealed.iv, {
      authTagLength: AUTH_TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(canonicalContext(context), 'utf8'));
    decipher.setAuthTag(sealed.authTag);
    plaintext = decipher.update(sealed.ciphertext);
    decipher.final();
    return new Uint8Array(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
  } catch {
    // Unauthenticated bytes: when only the tag was tampered with, they are the secret itself.
    plaintext?.fill(0);
    throw integrityError();
  }
}

/** The one integrity error text used by the vault: says what to do, reveals nothing. */
export function integrityError(): SecretIntegrityError {
  return new SecretIntegrityError(
    'A stored key could not be decrypted. Save the key again in Settings.',
  );
}
