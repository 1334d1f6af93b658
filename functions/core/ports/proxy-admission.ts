import type { Account, StoredProviderKey } from '../accounts/account.ts';
import type { Plan } from '../billing/plans.ts';
import type { BudgetView } from '../budgets/budget.ts';
import type { CheckedCharge } from '../budgets/reservation.ts';
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
  /**
   * The budget part, planned from the budgets of `viewVersion`; absent for calls that cost
   * nothing and are never refused by a budget (side calls, logging a refusal).
   */
  readonly budget?: BudgetAdmission | undefined;
}

/**
 * What the admission does for budgets. Either kind holds only while the lookup item's view is
 * still `viewVersion` (undefined: planned for an account without active budgets); otherwise
 * nothing is counted and the answer is `budgets-changed` with the view to plan from.
 */
export type BudgetAdmission =
  /**
   * Admit only if every checked charge's committed amount (spent + reserved) is at most its
   * ceiling, and add `reservedPicoUsd` to every charge's period with an entry under the request
   * id, which the settle removes. No charges: nothing but the view version is checked.
   */
  | {
      readonly kind: 'reserve';
      readonly viewVersion: number | undefined;
      readonly requestId: string;
      readonly reservedPicoUsd: bigint;
      readonly charges: readonly CheckedCharge[];
      readonly reservedAtMs: number;
    }
  /**
   * Refuse for `budgetId` without reserving: authenticate, count the request on the key's minute
   * (like every logged refusal, never on the month) and tally it as blocked on that period.
   */
  | {
      readonly kind: 'refuse';
      readonly viewVersion: number;
      readonly budgetId: string;
      readonly period: string;
    };

/** A budget that refused a request, with its figures as the refusal found them. */
export interface BudgetRefusalFigures {
  readonly budgetId: string;
  readonly period: string;
  /** Spent (settled) plus reserved (in flight) on the period, pico-USD. */
  readonly committedPicoUsd: bigint;
  /** The part of `committedPicoUsd` reserved by requests still in flight. */
  readonly reservedPicoUsd: bigint;
}

/** What the proxy knows about an admitted caller. */
export interface AdmittedCaller {
  /** As `AccountStore.getAccount` returns it, billing included: `effectivePlan` reads it. */
  readonly account: Account;
  /** The account's sealed key for the requested provider; undefined when none is stored. */
  readonly providerKey?: StoredProviderKey | undefined;
}

export type Admission =
  | {
      readonly outcome: 'admitted';
      readonly caller: AdmittedCaller;
      /** The account's active budgets as the admission found them; undefined when none. */
      readonly budgets: BudgetView | undefined;
    }
  /** No account owns the digest now (never issued, or regenerated since). */
  | { readonly outcome: 'unknown-key' }
  /** A window is full: nothing was counted, and the window's refused tally went up by one. */
  | { readonly outcome: 'refused'; readonly window: 'minute' | 'month'; readonly plan: Plan }
  /** The view is not the one the budget part was planned from: nothing counted; plan again. */
  | { readonly outcome: 'budgets-changed'; readonly budgets: BudgetView | undefined }
  /**
   * A budget refused the request: it was tallied as blocked on the budget's period and counted
   * on the key's minute only; nothing was reserved.
   */
  | {
      readonly outcome: 'budget-refused';
      readonly caller: AdmittedCaller;
      readonly figures: BudgetRefusalFigures;
    };

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
