import type { BudgetCharge, BudgetReservation } from '../budgets/reservation.ts';

/** A reservation still in flight: its request has not settled (or been released) yet. */
export interface OpenReservation extends BudgetReservation {
  readonly requestId: string;
  readonly reservedAtMs: number;
}

/** The money side of an account's budgets, as kept beside the proxy's view. */
export interface LedgerState {
  /**
   * Committed amount (spent + reserved, pico-USD) per budget period, keyed
   * `<budgetId>@<period>` (`chargeKey`); absent = 0.
   */
  readonly committed: ReadonlyMap<string, bigint>;
  /** Requests refused per budget period, same keys. */
  readonly blocked: ReadonlyMap<string, number>;
  readonly reservations: readonly OpenReservation[];
  /** Reservations released unsettled (by request id): when they were released. */
  readonly released: ReadonlyMap<string, number>;
}

/** How a settle ended. */
export type SettleOutcome =
  /** The reservation was replaced by the actual cost. */
  | 'settled'
  /** The reservation had been released unsettled (its request seemed lost); the cost was added. */
  | 'settled-late'
  /** Nothing to do: settled before (a redelivered record), or released long ago. */
  | 'already-settled';

/**
 * The budget ledger of each account: committed amounts per budget period, open reservations,
 * blocked tallies. The proxy's admission writes it (reservations, in the same write that admits);
 * the usage stream settles it; a sweep releases what a lost request left behind. Every change
 * to a reservation is conditional on its entry, so each request moves the money exactly once.
 */
export interface BudgetLedger {
  /** The ledger of the account's current Metrion Key (empty when none), strongly consistent. */
  state(accountId: string): Promise<LedgerState>;

  /**
   * Replaces the request's reservation by its actual cost (`actual - reserved` added to each
   * charge's period) and removes it, only if it is still open; if it was released unsettled,
   * adds the actual cost instead and forgets the release. Idempotent: a second call changes
   * nothing.
   * @throws ServiceUnavailableError (retryable) when the ledger cannot be reached or is being
   *   moved to a regenerated key; the caller retries later.
   */
  settle(
    accountId: string,
    requestId: string,
    reservation: BudgetReservation,
    actualPicoUsd: bigint,
  ): Promise<SettleOutcome>;

  /**
   * Gives back an open reservation whose request never settled (its reserved amount leaves each
   * charge's period) and remembers the release, so a record that still arrives adds its actual
   * cost. False when the reservation was no longer open.
   */
  release(accountId: string, reservation: OpenReservation, nowMs: number): Promise<boolean>;

  /**
   * Drops committed amounts and blocked tallies of the given budget periods and the given release
   * markers: past periods no request can settle into, deleted budgets, old markers.
   */
  prune(
    accountId: string,
    stale: { readonly charges: readonly BudgetCharge[]; readonly released: readonly string[] },
  ): Promise<void>;
}
