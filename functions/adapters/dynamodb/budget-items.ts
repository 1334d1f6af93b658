// Item shapes and keys of budgets in the `accounts` table, shared by DynamoBudgetStore and the
// proxy view (no SDK calls here).
import type { Scope } from '#core/attribution/scope.ts';
import type {
  Budget,
  BudgetAction,
  BudgetLevel,
  BudgetPeriod,
  EnforcedBudget,
  UnpricedPolicy,
} from '#core/budgets/budget.ts';
import type { FxQuote } from '#core/currency/fx.ts';
import { accountPk, type Key } from './account-items.ts';

export const BUDGET_PREFIX = 'BUDGET#';
/**
 * Partition of active budgets in the accounts table's sparse index of active items (the same
 * index as active alert rules, which use the partition `ACTIVE`): the budget sweep reads it.
 */
export const ACTIVE_BUDGETS_SHARD = 'BUDGET';

export const budgetKey = (accountId: string, budgetId: string): Key => ({
  pk: accountPk(accountId),
  sk: `${BUDGET_PREFIX}${budgetId}`,
});
/**
 * `pk=ACCOUNT#<accountId>, sk=BUDGETS`: `budgetCount`, the account's number of budgets (its own
 * item, outside the `BUDGET#` range, so no other write can reset it).
 */
export const budgetCountKey = (accountId: string): Key => ({
  pk: accountPk(accountId),
  sk: 'BUDGETS',
});
export const activeBudgetKey = (accountId: string, budgetId: string): string =>
  `${accountId}#${budgetId}`;

/** Attribute names per email level: the period it was sent for, and the claim's lease end. */
export const LEVEL_ATTRIBUTES: Record<BudgetLevel, { sent: string; claim: string }> = {
  warning: { sent: 'notifiedWarning', claim: 'claimWarningUntil' },
  reached: { sent: 'notifiedReached', claim: 'claimReachedUntil' },
};

/** Stored attribute of each spec field. */
export const SPEC_ATTRIBUTES = {
  name: 'budgetName',
  limitCents: 'limitCents',
  currency: 'currency',
  period: 'budgetPeriod',
  scope: 'scope',
  action: 'budgetAction',
  unpriced: 'unpriced',
  paused: 'paused',
} as const;

type BudgetItem = Record<string, unknown>;

/** `pk=ACCOUNT#<accountId>, sk=BUDGET#<budgetId>` with the index keys while active. */
export function budgetToItem(budget: Budget): BudgetItem {
  return {
    ...budgetKey(budget.accountId, budget.budgetId),
    accountId: budget.accountId,
    budgetId: budget.budgetId,
    [SPEC_ATTRIBUTES.name]: budget.name,
    [SPEC_ATTRIBUTES.limitCents]: budget.limitCents,
    [SPEC_ATTRIBUTES.currency]: budget.currency,
    [SPEC_ATTRIBUTES.period]: budget.period,
    [SPEC_ATTRIBUTES.scope]: budget.scope,
    [SPEC_ATTRIBUTES.action]: budget.action,
    [SPEC_ATTRIBUTES.unpriced]: budget.unpriced,
    [SPEC_ATTRIBUTES.paused]: budget.paused,
    createdAt: budget.createdAt,
    limitPicoUsd: budget.conversion.limitPicoUsd,
    fx: budget.conversion.fx,
    budgetVersion: budget.version,
    ...Object.fromEntries(
      Object.entries(budget.notified).map(([level, period]) => [
        LEVEL_ATTRIBUTES[level as BudgetLevel].sent,
        period,
      ]),
    ),
    ...activeIndexKeys(budget),
  };
}

/** The sparse index's keys: only an active budget carries them. */
export function activeIndexKeys(
  budget: Pick<Budget, 'accountId' | 'budgetId' | 'paused'>,
): BudgetItem {
  return budget.paused
    ? {}
    : {
        activeShard: ACTIVE_BUDGETS_SHARD,
        activeKey: activeBudgetKey(budget.accountId, budget.budgetId),
      };
}

const text = (item: BudgetItem, name: string): string | undefined =>
  typeof item[name] === 'string' ? (item[name] as string) : undefined;

export function budgetFromItem(item: BudgetItem): Budget {
  const notified: Partial<Record<BudgetLevel, string>> = {};
  for (const [level, { sent }] of Object.entries(LEVEL_ATTRIBUTES)) {
    const period = text(item, sent);
    if (period !== undefined) notified[level as BudgetLevel] = period;
  }
  return {
    accountId: String(item.accountId),
    budgetId: String(item.budgetId),
    name: String(item[SPEC_ATTRIBUTES.name]),
    limitCents: Number(item[SPEC_ATTRIBUTES.limitCents]),
    currency: String(item[SPEC_ATTRIBUTES.currency]) as Budget['currency'],
    period: String(item[SPEC_ATTRIBUTES.period]) as BudgetPeriod,
    scope: item[SPEC_ATTRIBUTES.scope] as Scope,
    action: String(item[SPEC_ATTRIBUTES.action]) as BudgetAction,
    unpriced: String(item[SPEC_ATTRIBUTES.unpriced]) as UnpricedPolicy,
    paused: item[SPEC_ATTRIBUTES.paused] === true,
    createdAt: String(item.createdAt),
    conversion: {
      limitPicoUsd: BigInt(item.limitPicoUsd as number | bigint),
      fx: item.fx as FxQuote,
    },
    version: Number(item.budgetVersion ?? 1),
    notified,
  };
}

/**
 * The enforced form as the lookup item's view holds it (`budgets`, a list): only what the
 * admission write needs, so the item every request writes stays small.
 */
export function enforcedToView(budget: EnforcedBudget): Record<string, unknown> {
  return {
    id: budget.budgetId,
    scope: budget.scope,
    period: budget.period,
    action: budget.action,
    unpriced: budget.unpriced,
    limit: budget.limitPicoUsd,
  };
}

export function enforcedFromView(viewed: Record<string, unknown>): EnforcedBudget {
  return {
    budgetId: String(viewed.id),
    scope: viewed.scope as Scope,
    period: String(viewed.period) as BudgetPeriod,
    action: String(viewed.action) as BudgetAction,
    unpriced: String(viewed.unpriced) as UnpricedPolicy,
    limitPicoUsd: BigInt(viewed.limit as number | bigint),
  };
}
