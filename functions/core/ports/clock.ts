/** Time, injected so that limits, TTLs and latency are testable with a fake clock. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number;
}
