import { createHash } from 'node:crypto';
import type { Random } from '#core/ports/random.ts';

export interface FixedRandomOptions {
  /** Bytes are a SHA-256 counter stream over this seed: deterministic, distinct per call. */
  readonly seed?: string | number;
  /**
   * Exact answers, served in order before the seeded stream. Each must have the requested
   * length; with no seed, asking past the end of the queue throws.
   */
  readonly queue?: readonly Uint8Array[];
}

/** Deterministic `Random` for tests. Every call returns a fresh array the caller may wipe. */
export class FixedRandom implements Random {
  readonly #seed: string | undefined;
  readonly #queue: Uint8Array[];
  #counter = 0;
  /** Lengths requested so far, in order (lets tests check that e.g. a 12-byte IV was drawn). */
  readonly requests: number[] = [];

  constructor(options: FixedRandomOptions = { seed: 0 }) {
    this.#seed = options.seed === undefined ? undefined : String(options.seed);
    this.#queue = (options.queue ?? []).map((bytes) => Uint8Array.from(bytes));
  }

  /** The next queued answer, or the next `length` bytes of the seeded stream. */
  bytes(length: number): Uint8Array {
    this.requests.push(length);
    const queued = this.#queue.shift();
    if (queued !== undefined) {
      if (queued.length !== length) {
        throw new Error(`FixedRandom: queued ${queued.length} bytes but ${length} were requested.`);
      }
      return queued;
    }
    if (this.#seed === undefined) throw new Error('FixedRandom: the queue is empty.');
    const out = new Uint8Array(length);
    for (let offset = 0; offset < length; offset += 32) {
      const block = createHash('sha256').update(`${this.#seed}:${this.#counter}`).digest();
      this.#counter += 1;
      out.set(block.subarray(0, Math.min(32, length - offset)), offset);
    }
    if (length === 0) this.#counter += 1;
    return out;
  }
}
