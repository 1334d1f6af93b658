/** Time, injected so that limits, TTLs and latency are testable with a fake clock. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number;
}

/**
 * A clock that also measures short spans: what the proxy needs to time its phases
 * (`server-timing`). A separate interface so the many callers that only need wall time keep
 * passing a plain {@link Clock}.
 */
export interface MonotonicClock extends Clock {
  /**
   * Milliseconds from an arbitrary origin, sub-millisecond, never going backwards (unlike
   * `nowMs`, which follows wall-clock adjustments). Only differences between readings mean
   * anything.
   */
  monotonicMs(): number;
}

/**
 * A clock that can also wait: what a store needs to wait out another writer's lease. A fake
 * clock moves itself forward instead of waiting, so lease expiry is testable without sleeping.
 */
export interface WaitingClock extends Clock {
  /** Resolves once `ms` have passed on this clock. */
  sleep(ms: number): Promise<void>;
}
