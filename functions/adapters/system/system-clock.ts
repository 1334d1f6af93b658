// Port: Clock. External calls: Date.now (the system wall clock).
import type { Clock } from '#core/ports/clock.ts';

/** The real wall clock. */
export class SystemClock implements Clock {
  /** Milliseconds since the Unix epoch, from `Date.now()`. */
  nowMs(): number {
    return Date.now();
  }
}
