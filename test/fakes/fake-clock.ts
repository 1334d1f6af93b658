import type { MonotonicClock, WaitingClock } from '#core/ports/clock.ts';

export interface FakeClockOptions {
  /** Starting time in ms since the epoch. @default Date.UTC(2025, 0, 1) */
  readonly startMs?: number;
}

/**
 * A clock that only moves when a test (or a sleeper) moves it; its monotonic reading moves with
 * it.
 */
export class FakeClock implements MonotonicClock, WaitingClock {
  #nowMs: number;

  constructor(options: FakeClockOptions = {}) {
    this.#nowMs = options.startMs ?? Date.UTC(2025, 0, 1);
  }

  /** The current fake time. */
  nowMs(): number {
    return this.#nowMs;
  }

  /** The fake time as well: spans measured with it are exactly what the test advanced. */
  monotonicMs(): number {
    return this.#nowMs;
  }

  /** Moves time forward by `ms` instead of waiting, then lets other pending work run. */
  async sleep(ms: number): Promise<void> {
    this.advance(ms);
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** Moves time forward by `ms` (never backwards). */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('advance() takes ms >= 0.');
    this.#nowMs += ms;
  }

  /** Jumps to an absolute time (the monotonic reading too: only jump forward while timing). */
  set(ms: number): void {
    this.#nowMs = ms;
  }
}
