import { Buffer } from 'node:buffer';
import { createHmac } from 'node:crypto';
import type { Random } from '../ports/random.ts';

/** Every Metrion Key starts with this; the proxy uses it to tell stored mode from pass-through. */
export const METRION_KEY_PREFIX = 'sk-metrion-';

/** 128 bits of CSPRNG output per key. */
const METRION_KEY_RANDOM_BYTES = 16;
/** Peppers shorter than this would make the lookup digest guessable offline. */
const MIN_PEPPER_BYTES = 16;
const METRION_KEY_PATTERN = /^sk-metrion-[0-9a-f]{32}$/;

/**
 * Creates a new Metrion Key: the prefix plus 32 lowercase hex characters (16 random bytes).
 * @throws RangeError when `random` returns fewer or more than 16 bytes.
 */
export function generateMetrionKey(random: Random): string {
  const bytes = random.bytes(METRION_KEY_RANDOM_BYTES);
  if (bytes.length !== METRION_KEY_RANDOM_BYTES) {
    throw new RangeError(`A Metrion Key needs ${METRION_KEY_RANDOM_BYTES} random bytes.`);
  }
  return METRION_KEY_PREFIX + Buffer.from(bytes).toString('hex');
}

/** True only for the exact Metrion Key format (`sk-metrion-` + 32 lowercase hex characters). */
export function isMetrionKey(value: string): boolean {
  return METRION_KEY_PATTERN.test(value);
}

/**
 * True when a credential claims to be a Metrion Key (stored-mode detection). A malformed value
 * that passes this is still a Metrion credential: it must be rejected, not forwarded upstream.
 */
export function looksLikeMetrionKey(value: string): boolean {
  return value.startsWith(METRION_KEY_PREFIX);
}

/**
 * The lookup digest of a Metrion Key: HMAC-SHA256 under the server-side `pepper`, lowercase hex.
 * A database leak alone then reveals no key and allows no offline guessing.
 * @throws RangeError when `pepper` is shorter than 16 bytes.
 */
export function metrionKeyDigest(key: string, pepper: Uint8Array): string {
  if (pepper.length < MIN_PEPPER_BYTES) {
    throw new RangeError(`The Metrion Key pepper must be at least ${MIN_PEPPER_BYTES} bytes.`);
  }
  return createHmac('sha256', pepper).update(key, 'utf8').digest('hex');
}
