/** A counter's state, as operators and tests read it. */
export interface CounterValue {
  /** Requests counted in the window (never above the limit they were counted against). */
  readonly count: number;
  /** Requests refused because the window was full. */
  readonly rejected: number;
}

/**
 * Fixed-window request counters for rate limits and plan quotas. Each key names one window
 * (the key itself contains the minute or month), so a counter never has to be reset.
 */
export interface CounterStore {
  /**
   * Adds one to `key` if its count is below `limit`, as ONE atomic conditional write: under any
   * concurrency, exactly `limit` calls per key return true.
   * @param expiresAtEpochSeconds When the counter may be deleted (after its window has ended).
   * @returns true when counted, false when the count had already reached `limit`.
   */
  incrementIfBelow(key: string, limit: number, expiresAtEpochSeconds: number): Promise<boolean>;

  /** Adds one to the refused-requests tally of `key` (rejected requests are counted, not logged). */
  countRejection(key: string, expiresAtEpochSeconds: number): Promise<void>;

  /** The counter's state; zeros when it does not exist or has expired at `nowMs`. */
  read(key: string, nowMs: number): Promise<CounterValue>;
}
