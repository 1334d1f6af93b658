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
  const cipher = createCipheriv(ALGORITHM, dataKey, iv, { authTagLength: AUTH_TAG_BYTES });
  cipher.setAAD(Buffer.from(canonicalContext(context), 'utf8'));
  const ciphertext = joinAndWipe(cipher.update(plaintext), cipher.final());
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
  if (
    dataKey.length !== DATA_KEY_BYTES ||
    sealed.iv.length !== IV_BYTES ||
    sealed.authTag.length !== AUTH_TAG_BYTES
  ) {
    throw integrityError();
  }
  try {
    // authTagLength pins the tag size: without it Node accepts a 4-byte prefix of the tag.
    const decipher = createDecipheriv(ALGORITHM, dataKey, sealed.iv, {
      authTagLength: AUTH_TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(canonicalContext(context), 'utf8'));
    decipher.setAuthTag(sealed.authTag);
    const head = decipher.update(sealed.ciphertext);
    try {
      return joinAndWipe(head, decipher.final());
    } finally {
      head.fill(0);
    }
  } catch {
    throw integrityError();
  }
}

/** The one integrity error text used by the vault: says what to do, reveals nothing. */
export function integrityError(): SecretIntegrityError {
  return new SecretIntegrityError(
    'A stored key could not be decrypted. Save the key again in Settings.',
  );
}

/**
 * Copies two chunks into one unpooled array (Buffer.concat may hand out a slice of Node's shared
 * pool, which callers could not wipe in isolation) and zeroes the chunks.
 */
function joinAndWipe(first: Uint8Array, second: Uint8Array): Uint8Array {
  const joined = new Uint8Array(first.length + second.length);
  joined.set(first, 0);
  joined.set(second, first.length);
  first.fill(0);
  second.fill(0);
  return joined;
}
