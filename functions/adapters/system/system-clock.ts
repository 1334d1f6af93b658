// Ports: MonotonicClock, WaitingClock. External calls: Date.now (wall clock), performance.now
// (monotonic timer), setTimeout (sleep).
import { setTimeout as wait } from 'node:timers/promises';
import type { MonotonicClock, WaitingClock } from '#core/ports/clock.ts';

/** The real clocks. */
export class SystemClock implements MonotonicClock, WaitingClock {
  /** Milliseconds since the Unix epoch, from `Date.now()`. */
  nowMs(): number {
    return Date.now();
  }

  /** `performance.now()`: monotonic, sub-millisecond, from the process start. */
  monotonicMs(): number {
    return performance.now();
  }

  /** Resolves after `ms` of real time (a timer). */
  async sleep(ms: number): Promise<void> {
    await wait(ms);
  }
}
