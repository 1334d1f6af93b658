import { type ScopedRequest, scopeMatches } from '../attribution/scope.ts';
import type { BudgetView, EnforcedBudget } from './budget.ts';
import { periodKey } from './budget-period.ts';

/**
 * The most a request can cost, from what it says before it is sent: `bounded` (its input
 * bounded from the body, its output from its cap or the model's maximum, at the model's
 * prices); `unbounded` when the model is priced but part of its input cannot be measured from
 * the body (a stored conversation, a file by id), with the part that can; `unpriced` when the
 * model has no price.
 */
export type MaxCost =
  | { readonly kind: 'bounded'; readonly picoUsd: bigint }
  | { readonly kind: 'unbounded'; readonly partialPicoUsd: bigint; readonly reason: string }
  | { readonly kind: 'unpriced' };

/** One budget period a reservation is added to. */
export interface BudgetCharge {
  readonly budgetId: string;
  /** The period's key (`2026-12-05`, `2026-12`): the one the request arrived in. */
  readonly period: string;
}

/**
 * A charge as the admission write checks it: the budget's committed amount (spent + reserved)
 * must be at most `ceilingPicoUsd` (its limit minus this request's maximum cost) before the
 * reservation is added. No ceiling: counted, never refused (`notify`, or `unpriced: allow`).
 */
export interface CheckedCharge extends BudgetCharge {
  readonly ceilingPicoUsd?: bigint;
}

/**
 * What a request reserves on its budgets: its maximum cost on every matching budget's current
 * period, released and replaced by the actual cost when its usage record settles.
 */
export interface BudgetReservation {
  readonly reservedPicoUsd: bigint;
  readonly charges: readonly BudgetCharge[];
}

/** What the admission write does for budgets, decided by {@link planBudgets}. */
export type BudgetPlan =
  /** No active budget matches: nothing reserved, nothing checked. */
  | { readonly kind: 'none' }
  | {
      readonly kind: 'reserve';
      readonly reservedPicoUsd: bigint;
      readonly charges: readonly CheckedCharge[];
    }
  /** A `block` budget cannot bound this request and refuses what it cannot bound. */
  | {
      readonly kind: 'refuse';
      readonly budget: EnforcedBudget;
      readonly period: string;
      readonly reason: 'unpriced' | 'unbounded';
    };

const NONE: BudgetPlan = { kind: 'none' };

/**
 * Plans the budget part of one admission from the budgets the proxy last saw (none when it has
 * not seen any); the request's maximum cost is worked out only when a budget matches. Every active budget whose scope matches the request is charged the request's
 * maximum cost in its current period; a `block` budget also sets the ceiling its committed
 * amount must be under. A model without a price reserves nothing (its cost is unknown) and a
 * `block` budget with `unpriced: block` refuses it; a priced request whose input cannot be
 * bounded reserves what can be, refused by such a budget too. A budget that does not match
 * never refuses, priced or not.
 */
export function planBudgets(
  view: BudgetView | undefined,
  request: ScopedRequest,
  maxCostOf: () => MaxCost,
  nowMs: number,
): BudgetPlan {
  const matching = (view?.budgets ?? []).filter((budget) => scopeMatches(budget.scope, request));
  if (matching.length === 0) return NONE;
  const maxCost = maxCostOf();
  const refusing = matching.find(
    (budget) =>
      maxCost.kind !== 'bounded' && budget.action === 'block' && budget.unpriced === 'block',
  );
  if (refusing !== undefined && maxCost.kind !== 'bounded') {
    return {
      kind: 'refuse',
      budget: refusing,
      period: periodKey(refusing.period, nowMs),
      reason: maxCost.kind,
    };
  }
  if (maxCost.kind === 'unpriced') return NONE;
  const reservedPicoUsd = maxCost.kind === 'bounded' ? maxCost.picoUsd : maxCost.partialPicoUsd;
  const charges = matching.map((budget) => charge(budget, maxCost, reservedPicoUsd, nowMs));
  return { kind: 'reserve', reservedPicoUsd, charges };
}

function charge(
  budget: EnforcedBudget,
  maxCost: MaxCost,
  reservedPicoUsd: bigint,
  nowMs: number,
): CheckedCharge {
  const period = periodKey(budget.period, nowMs);
  const checked = budget.action === 'block' && maxCost.kind === 'bounded';
  return checked
    ? { budgetId: budget.budgetId, period, ceilingPicoUsd: budget.limitPicoUsd - reservedPicoUsd }
    : { budgetId: budget.budgetId, period };
}

/** The reservation a planned admission makes, as its usage record carries it to the settle. */
export function reservationOf(plan: BudgetPlan): BudgetReservation | undefined {
  if (plan.kind !== 'reserve') return undefined;
  return {
    reservedPicoUsd: plan.reservedPicoUsd,
    charges: plan.charges.map(({ budgetId, period }) => ({ budgetId, period })),
  };
}

/** The key of one budget period in a ledger: `bud_1a2b3c4d@2026-12`. */
export function chargeKey(charge: BudgetCharge): string {
  return `${charge.budgetId}@${charge.period}`;
}
