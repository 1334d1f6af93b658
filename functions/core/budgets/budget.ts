import type { Currency } from '../accounts/account.ts';
import type { Scope } from '../attribution/scope.ts';
import type { FxQuote } from '../currency/fx.ts';

/**
 * The budgets catalogue: periods, actions, limits and the stored shape. Data and types only
 * (the Budgets API contract re-exports the lists, so the browser bundle reads the same values
 * the proxy enforces).
 */

/** A budget's period: the UTC day or the UTC calendar month; it resets at its end. */
export const BUDGET_PERIODS = ['day', 'month'] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

/** `block`: the proxy refuses a request that could cross the limit; `notify`: emails only. */
export const BUDGET_ACTIONS = ['block', 'notify'] as const;
export type BudgetAction = (typeof BUDGET_ACTIONS)[number];

/**
 * What a `block` budget does with a request whose cost it cannot bound (a model without a price,
 * or input Metrion cannot measure): refuse it (`block`, the default) or let it through (`allow`).
 */
export const UNPRICED_POLICIES = ['block', 'allow'] as const;
export type UnpricedPolicy = (typeof UNPRICED_POLICIES)[number];

/** Longest budget name, in UTF-16 code units. */
export const MAX_BUDGET_NAME_LENGTH = 80;

/** Largest limit, in cents of the budget's currency (10 million). */
export const MAX_BUDGET_LIMIT_CENTS = 1_000_000_000;

/**
 * Budget ids: `bud_` and 8 hex digits. Short on purpose: each id is part of attribute names on
 * the Metrion Key lookup item that every proxied request writes.
 */
export const BUDGET_ID_PATTERN = /^bud_[0-9a-f]{8}$/;

/** Emails go out at this share of the limit (warning) and at the limit (reached). */
export const BUDGET_WARNING_PERCENT = 90;

/** The two email levels of a budget, each sent at most once per period. */
export const BUDGET_LEVELS = ['warning', 'reached'] as const;
export type BudgetLevel = (typeof BUDGET_LEVELS)[number];

/**
 * A limit in USD: converted with the latest reference rates (the Dashboard's), and again by the
 * budget sweep after each new daily rate.
 */
export interface LimitConversion {
  /** The exact limit in pico-USD, rounded down (never more room than the limit states). */
  readonly limitPicoUsd: bigint;
  /** The quote it was converted with; figures shown in the budget's currency use it too. */
  readonly fx: FxQuote;
}

/** What a customer sets. */
export interface BudgetSpec {
  readonly name: string;
  /** Whole cents of {@link currency}. */
  readonly limitCents: number;
  /**
   * The currency the limit was set in: the account's at the time. A later change of the
   * account's currency keeps the limit as set (EUR 50 stays EUR 50); editing the limit takes the
   * account's currency again.
   */
  readonly currency: Currency;
  readonly period: BudgetPeriod;
  readonly scope: Scope;
  readonly action: BudgetAction;
  readonly unpriced: UnpricedPolicy;
  readonly paused: boolean;
}

/** A stored budget. */
export interface Budget extends BudgetSpec {
  readonly accountId: string;
  readonly budgetId: string;
  /** ISO instant. */
  readonly createdAt: string;
  readonly conversion: LimitConversion;
  /** Bumped by every change; conditional writes compare it. */
  readonly version: number;
  /** The period each level last emailed for (`2026-12` or `2026-12-05`). */
  readonly notified: Partial<Record<BudgetLevel, string>>;
}

/**
 * What the proxy enforces of an active (not paused) budget: kept on the Metrion Key lookup item
 * with the rest of the proxy's view, so it is read by the same admission write.
 */
export interface EnforcedBudget {
  readonly budgetId: string;
  readonly scope: Scope;
  readonly period: BudgetPeriod;
  readonly action: BudgetAction;
  readonly unpriced: UnpricedPolicy;
  readonly limitPicoUsd: bigint;
}

/**
 * The budgets of one account as a proxy instance last saw them on the lookup item, with the
 * view version that names them: an admission planned from it is conditional on that version.
 */
export interface BudgetView {
  readonly viewVersion: number;
  readonly budgets: readonly EnforcedBudget[];
}

/** The enforced form of a stored budget. */
export function enforcedBudget(budget: Budget): EnforcedBudget {
  return {
    budgetId: budget.budgetId,
    scope: budget.scope,
    period: budget.period,
    action: budget.action,
    unpriced: budget.unpriced,
    limitPicoUsd: budget.conversion.limitPicoUsd,
  };
}
