import type { Account, StoredProviderKey } from '../accounts/account.ts';
import type { Plan } from '../billing/plans.ts';
import type { ProviderId } from '../providers/provider-registry.ts';

/** One fixed window a request is counted in (a UTC minute of a key, a UTC month of an account). */
export interface AdmissionWindow {
  /**
   * Names the window's counter, e.g. `rpm@2026-12-01T21:30`. A new window is a new name, so no
   * counter is ever reset; names contain no character outside `[A-Za-z0-9@:-]`.
   */
  readonly counter: string;
  /** The counter of the window before: it can never count again, so a store may drop it. */
  readonly previousCounter: string;
  /** The most requests the window admits under each effective plan; null = counted, never full. */
  readonly limits: Readonly<Record<Plan, number | null>>;
}

/** What the proxy asks before it does anything else with a request. */
export interface AdmissionRequest {
  /** HMAC digest of the presented Metrion Key (never the key). */
  readonly keyDigest: string;
  /** The provider whose stored key the answer carries. */
  readonly provider: ProviderId;
  /** The instant that decides the effective plan and names the windows. */
  readonly nowMs: number;
  /** The per-key rate limit. Checked first: a request it refuses is counted nowhere else. */
  readonly minute: AdmissionWindow;
  /** The account's monthly quota; absent for side calls, which neither count nor stop at it. */
  readonly month?: AdmissionWindow;
  /** Counters still in use (this minute's and this month's, counted or not); a store may drop any other. */
  readonly liveCounters: readonly string[];
}

/** What the proxy knows about an admitted caller. */
export interface AdmittedCaller {
  /** As `AccountStore.getAccount` returns it, billing included: `effectivePlan` reads it. */
  readonly account: Account;
  /** The account's sealed key for the requested provider; absent when none is stored. */
  readonly providerKey?: StoredProviderKey;
}

export type Admission =
  | { readonly outcome: 'admitted'; readonly caller: AdmittedCaller }
  /** No account owns the digest now (never issued, or regenerated since). */
  | { readonly outcome: 'unknown-key' }
  /** A window is full: nothing was counted, and the window's refused tally went up by one. */
  | { readonly outcome: 'refused'; readonly window: 'minute' | 'month'; readonly plan: Plan };

/** A window's counter as operators and tests read it. */
export interface WindowCount {
  /** Requests admitted in the window. */
  readonly count: number;
  /** Requests the window refused (refusals are tallied, never logged). */
  readonly refused: number;
}

/**
 * Authentication, the effective plan and both request limits, decided together (the proxy's
 * hot path). Every answer reflects every account write that returned before it was asked: a
 * regenerated key is unknown at once, a deleted provider key is never handed out, a plan change
 * applies to the next request. Counting is exact under any concurrency.
 */
export interface ProxyAdmission {
  /**
   * Admits the request and counts it in both windows, or refuses it counting it in neither.
   * @throws ServiceUnavailableError when the store cannot answer.
   */
  admit(request: AdmissionRequest): Promise<Admission>;

  /**
   * A window counter of the key's account (month counters follow the account across key
   * regenerations). Zeros for an unknown key or an unused window.
   */
  windowCount(keyDigest: string, counter: string): Promise<WindowCount>;
}
