// Port: MonotonicClock. External calls: Date.now (wall clock), performance.now (monotonic timer).
import type { MonotonicClock } from '#core/ports/clock.ts';

/** The real clocks. */
export class SystemClock implements MonotonicClock {
  /** Milliseconds since the Unix epoch, from `Date.now()`. */
  nowMs(): number {
    return Date.now();
  }

  /** `performance.now()`: monotonic, sub-millisecond, from the process start. */
  monotonicMs(): number {
    return performance.now();
  }
}
