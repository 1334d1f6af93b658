import type { Account } from '../accounts/account.ts';
import type { Scope } from '../attribution/scope.ts';
import { effectivePlan, planLimitsOf } from '../billing/billing-state.ts';
import { displayRate, perUsd } from '../currency/fx.ts';
import { convertPicoUsdHalfEven } from '../currency/money-text.ts';
import { currentFxQuote } from '../currency/refresh-fx-rates.ts';
import { BudgetLimitError, NotFoundError } from '../errors.ts';
import type { AccountStore } from '../ports/account-store.ts';
import type { BudgetLedger } from '../ports/budget-ledger.ts';
import type { BudgetChanges, BudgetStore } from '../ports/budget-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { FxRateStore } from '../ports/fx-rate-store.ts';
import type { Random } from '../ports/random.ts';
import { BUDGET_WARNING_PERCENT, type Budget, type BudgetSpec } from './budget.ts';
import { budgetStatus, percentUsed } from './budget-status.ts';
import { convertLimit } from './limit-conversion.ts';

/** A budget as the API shows it: money in its currency, this period's figures. */
export interface BudgetDetails {
  readonly id: string;
  readonly name: string;
  readonly limit: number;
  readonly currency: Account['currency'];
  readonly period: Budget['period'];
  readonly scope: Scope;
  readonly action: Budget['action'];
  readonly unpriced: Budget['unpriced'];
  readonly paused: boolean;
  readonly createdAt: string;
  readonly current: {
    readonly period: string;
    readonly startsAt: string;
    readonly resetsAt: string;
    readonly spent: string;
    readonly reserved: string;
    readonly percentUsed: number;
    readonly blocked: number;
  };
  readonly fx: { readonly rate: string; readonly rateDate: string };
}

/** A create request after validation (the contract's shape; `limit` in currency units). */
export type NewBudget = Omit<BudgetSpec, 'limitCents' | 'currency'> & { readonly limit: number };

/** An update request after validation. */
export type BudgetUpdate = Partial<NewBudget>;

export interface BudgetsServiceDeps {
  readonly budgets: BudgetStore;
  readonly ledger: Pick<BudgetLedger, 'state'>;
  readonly accounts: Pick<AccountStore, 'getAccount'>;
  readonly fxRates: FxRateStore;
  readonly clock: Clock;
  readonly random: Random;
}

export type BudgetsService = ReturnType<typeof createBudgetsService>;

/** Six decimals, like every converted amount the API answers. */
const MONEY_DECIMALS = 6;

/** Whole cents of a validated amount (at most two decimals). */
const toCents = (limit: number): number => Math.round(limit * 100);

function budgetId(random: Random): string {
  return `bud_${[...random.bytes(4)].map((byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

async function accountOf(deps: BudgetsServiceDeps, accountId: string): Promise<Account> {
  const account = await deps.accounts.getAccount(accountId);
  if (account === undefined) throw new NotFoundError('Sign in again: the account was not found.');
  return account;
}

async function ownBudget(deps: BudgetsServiceDeps, accountId: string, id: string): Promise<Budget> {
  const budget = await deps.budgets.get(accountId, id);
  if (budget === undefined) throw new NotFoundError(`No budget ${id.slice(0, 60)}.`);
  return budget;
}

function checkScope(account: Account, scope: Scope, nowMs: number): void {
  if (scope.kind === 'account' || planLimitsOf(account, nowMs).scopedBudgets) return;
  throw new BudgetLimitError(
    'The Free plan includes one budget for all requests. Budgets for a provider, model, requester or tag are part of Metrion Pro: upgrade under Settings > Plan (/settings/billing).',
  );
}

async function view(deps: BudgetsServiceDeps, budget: Budget): Promise<BudgetDetails> {
  const nowMs = deps.clock.nowMs();
  const status = budgetStatus(budget, await deps.ledger.state(budget.accountId), nowMs);
  return toView(budget, status);
}

/** The account's budgets with this period's figures, and what its plan allows. */
async function listBudgets(deps: BudgetsServiceDeps, accountId: string) {
  const account = await accountOf(deps, accountId);
  const nowMs = deps.clock.nowMs();
  const [budgets, ledger] = await Promise.all([
    deps.budgets.list(accountId),
    deps.ledger.state(accountId),
  ]);
  const limits = planLimitsOf(account, nowMs);
  return {
    budgets: budgets.map((budget) => toView(budget, budgetStatus(budget, ledger, nowMs))),
    allowance: {
      plan: effectivePlan(account, nowMs),
      maxBudgets: limits.budgets,
      scopedBudgets: limits.scopedBudgets,
    },
    currency: account.currency,
    warningPercent: BUDGET_WARNING_PERCENT,
  };
}

/** A new budget in the account's currency, within the plan's number of budgets. */
async function createBudget(
  deps: BudgetsServiceDeps,
  accountId: string,
  input: NewBudget,
): Promise<BudgetDetails> {
  const account = await accountOf(deps, accountId);
  const nowMs = deps.clock.nowMs();
  checkScope(account, input.scope, nowMs);
  const { limit, ...spec } = input;
  const priced = { limitCents: toCents(limit), currency: account.currency };
  const budget: Budget = {
    ...spec,
    ...priced,
    accountId,
    budgetId: budgetId(deps.random),
    createdAt: new Date(nowMs).toISOString(),
    conversion: convertLimit(priced, await currentFxQuote(deps.fxRates)),
    version: 1,
    notified: {},
  };
  const { budgets: maxBudgets } = planLimitsOf(account, nowMs);
  if (!(await deps.budgets.create(budget, maxBudgets))) {
    throw new BudgetLimitError(
      maxBudgets === 1
        ? 'The Free plan includes one budget. Edit or delete it, or upgrade under Settings > Plan (/settings/billing) for up to 20.'
        : `An account has at most ${maxBudgets} budgets. Delete one to create another.`,
    );
  }
  return view(deps, budget);
}

/** Changes the given fields of one of the account's budgets. */
async function updateBudget(
  deps: BudgetsServiceDeps,
  accountId: string,
  id: string,
  input: BudgetUpdate,
): Promise<BudgetDetails> {
  const account = await accountOf(deps, accountId);
  const budget = await ownBudget(deps, accountId, id);
  if (input.scope !== undefined) checkScope(account, input.scope, deps.clock.nowMs());
  const { limit, ...spec } = input;
  let changes: BudgetChanges = spec;
  if (limit !== undefined) {
    // A new limit is set in the account's currency of now.
    const priced = { limitCents: toCents(limit), currency: account.currency };
    const conversion = convertLimit(priced, await currentFxQuote(deps.fxRates));
    changes = { ...changes, ...priced, conversion };
  }
  const updated = await deps.budgets.update(accountId, budget.budgetId, changes);
  if (updated === undefined || updated === 'conflict') {
    throw new NotFoundError(`No budget ${id.slice(0, 60)}.`);
  }
  return view(deps, updated);
}

async function removeBudget(
  deps: BudgetsServiceDeps,
  accountId: string,
  id: string,
): Promise<{ id: string }> {
  if (!(await deps.budgets.delete(accountId, id))) {
    throw new NotFoundError(`No budget ${id.slice(0, 60)}.`);
  }
  return { id };
}

/** The Budgets API use cases, each scoped to the caller's account. */
export function createBudgetsService(deps: BudgetsServiceDeps) {
  return {
    /** See {@link listBudgets}. */
    list: (accountId: string) => listBudgets(deps, accountId),
    /** See {@link createBudget}. */
    create: (accountId: string, input: NewBudget) => createBudget(deps, accountId, input),
    /** See {@link updateBudget}. */
    update: (accountId: string, id: string, input: BudgetUpdate) =>
      updateBudget(deps, accountId, id, input),
    remove: (accountId: string, id: string) => removeBudget(deps, accountId, id),
  };
}

function toView(budget: Budget, status: ReturnType<typeof budgetStatus>): BudgetDetails {
  const rate = perUsd(budget.currency, budget.conversion.fx);
  const money = (picoUsd: bigint) => convertPicoUsdHalfEven(picoUsd, rate, MONEY_DECIMALS);
  return {
    id: budget.budgetId,
    name: budget.name,
    limit: budget.limitCents / 100,
    currency: budget.currency,
    period: budget.period,
    scope: budget.scope,
    action: budget.action,
    unpriced: budget.unpriced,
    paused: budget.paused,
    createdAt: budget.createdAt,
    current: {
      period: status.period,
      startsAt: new Date(status.startsAtMs).toISOString(),
      resetsAt: new Date(status.resetsAtMs).toISOString(),
      spent: money(status.spentPicoUsd),
      reserved: money(status.reservedPicoUsd),
      percentUsed: percentUsed(budget, status.spentPicoUsd),
      blocked: status.blocked,
    },
    fx: {
      rate: displayRate(budget.currency, budget.conversion.fx),
      rateDate: budget.conversion.fx.date,
    },
  };
}
