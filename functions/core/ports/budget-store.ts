import type { Budget, BudgetLevel, BudgetSpec, LimitConversion } from '../budgets/budget.ts';

/** Changes to a budget (a field left undefined is not changed); the store bumps its version. */
export type BudgetChanges = Partial<BudgetSpec> & { readonly conversion?: LimitConversion };

/** One page of active (not paused) budgets across accounts, ordered by account then budget. */
export interface ActiveBudgetsPage {
  readonly budgets: readonly Budget[];
  /** Where the next page starts; absent after the last page. */
  readonly next?: string;
}

/**
 * Budgets, scoped by account: every method that names a budget takes its account id and never
 * reaches another account's budget. Every write also refreshes the proxy's view of the account
 * before it returns, so the next proxied request is checked against it.
 */
export interface BudgetStore {
  /** The account's budgets, oldest first (strongly consistent). */
  list(accountId: string): Promise<Budget[]>;
  /** One budget of the account, or undefined. */
  get(accountId: string, budgetId: string): Promise<Budget | undefined>;
  /**
   * Stores a new budget (its id must be fresh) unless the account already has `maxBudgets`;
   * answers false then and stores nothing. Exact under concurrency.
   */
  create(budget: Budget, maxBudgets: number): Promise<boolean>;
  /**
   * Applies changes if the budget still has `expectedVersion` (undefined: any version); answers
   * the budget as changed, undefined when the account has no such budget, or `conflict`.
   */
  update(
    accountId: string,
    budgetId: string,
    changes: BudgetChanges,
    expectedVersion?: number,
  ): Promise<Budget | 'conflict' | undefined>;
  /** Deletes the budget; false when the account had no such budget. */
  delete(accountId: string, budgetId: string): Promise<boolean>;

  /** A page of active budgets of every account (the sweep's read), at most `limit`. */
  listActive(options: {
    readonly after?: string | undefined;
    readonly limit: number;
  }): Promise<ActiveBudgetsPage>;

  /**
   * Claims a level's email for `period`: succeeds only when the level has not been sent for that
   * period and no unexpired claim is held (two sweeps racing get one claim).
   */
  claimLevel(
    accountId: string,
    budgetId: string,
    level: BudgetLevel,
    options: { readonly period: string; readonly nowMs: number; readonly leaseMs: number },
  ): Promise<boolean>;
  /** After the email went out: the level is sent for `period`, and the claim is dropped. */
  confirmLevel(
    accountId: string,
    budgetId: string,
    level: BudgetLevel,
    period: string,
  ): Promise<void>;
  /** After a failed send: drops the claim so the next sweep tries again. */
  releaseLevel(accountId: string, budgetId: string, level: BudgetLevel): Promise<void>;
}
