// Port: Random. External calls: node:crypto randomFillSync (the OS CSPRNG).
import { randomFillSync } from 'node:crypto';
import type { Random } from '#core/ports/random.ts';

/** Cryptographically secure bytes from the operating system's CSPRNG. */
export class CryptoRandom implements Random {
  /** Returns a fresh, unshared array of `length` random bytes. */
  bytes(length: number): Uint8Array {
    if (!Number.isInteger(length) || length < 0) {
      throw new RangeError('length must be a non-negative integer.');
    }
    return randomFillSync(new Uint8Array(length));
  }
}
