// The budget part of the proxy's admission write on a Metrion Key lookup item (expressions and
// the refusal path's reading of the item; no SDK calls here). See DynamoProxyAdmission.
import { chargeKey } from '#core/budgets/reservation.ts';
import type { BudgetAdmission, BudgetRefusalFigures } from '#core/ports/proxy-admission.ts';
import {
  blockedAttribute,
  budgetViewOf,
  committedAttribute,
  ledgerStateOf,
  reservationAttribute,
  reservationValue,
  reservedOn,
} from './budget-ledger-items.ts';
import { type Expression, NEVER } from './update-expression.ts';

type Reserve = Extract<BudgetAdmission, { kind: 'reserve' }>;
type Refuse = Extract<BudgetAdmission, { kind: 'refuse' }>;

/** The view the budget part was planned from is still the item's (undefined: none active). */
function viewCondition(expression: Expression, viewVersion: number | undefined): string {
  return viewVersion === undefined
    ? 'attribute_not_exists(budgets)'
    : `viewVersion = ${expression.value(viewVersion)}`;
}

/** Conditions and SET clauses of a budget part, to add to the admission write. */
export interface BudgetClauses {
  readonly conditions: string[];
  readonly set: string[];
}

/**
 * Reserve: every checked charge's committed amount is at most its ceiling (a ceiling below 0
 * means the request alone exceeds the limit: never), then the reservation is added to every
 * charge and recorded under the request id for the settle.
 */
export function reserveClauses(expression: Expression, budget: Reserve): BudgetClauses {
  const conditions = [viewCondition(expression, budget.viewVersion)];
  const set: string[] = [];
  if (budget.charges.length === 0) return { conditions, set };
  const zero = expression.value(0);
  const reserved = expression.value(budget.reservedPicoUsd);
  for (const charge of budget.charges) {
    const committed = expression.name(committedAttribute(charge));
    if (charge.ceilingPicoUsd !== undefined) {
      conditions.push(
        charge.ceilingPicoUsd < 0n
          ? NEVER
          : `(attribute_not_exists(${committed}) OR ${committed} <= ${expression.value(charge.ceilingPicoUsd)})`,
      );
    }
    set.push(`${committed} = if_not_exists(${committed}, ${zero}) + ${reserved}`);
  }
  set.push(
    `${expression.name(reservationAttribute(budget.requestId))} = ${expression.value(reservationValue(budget))}`,
  );
  return { conditions, set };
}

/** Refuse: the view is still the one planned from; the refusal is tallied on the period. */
export function refuseClauses(expression: Expression, budget: Refuse): BudgetClauses {
  const blocked = expression.name(blockedAttribute(budget));
  return {
    conditions: [viewCondition(expression, budget.viewVersion)],
    set: [
      `${blocked} = if_not_exists(${blocked}, ${expression.value(0)}) + ${expression.value(1)}`,
    ],
  };
}

/** What the item shows when a budget part failed: a changed view, or the charge over its ceiling. */
export type BudgetFailure =
  | { readonly kind: 'changed' }
  | { readonly kind: 'exceeded'; readonly refusal: Refuse };

export function budgetFailure(item: object, budget: BudgetAdmission): BudgetFailure | undefined {
  const { viewVersion } = item as { viewVersion?: unknown };
  const changed =
    budget.viewVersion === undefined
      ? budgetViewOf(item) !== undefined
      : viewVersion !== budget.viewVersion;
  if (changed) return { kind: 'changed' };
  if (budget.kind === 'refuse') return undefined;
  const state = ledgerStateOf(item);
  const over = budget.charges.find(
    (charge) =>
      charge.ceilingPicoUsd !== undefined &&
      (charge.ceilingPicoUsd < 0n ||
        (state.committed.get(chargeKey(charge)) ?? 0n) > charge.ceilingPicoUsd),
  );
  if (over === undefined) return undefined;
  return {
    kind: 'exceeded',
    refusal: {
      kind: 'refuse',
      viewVersion: Number(viewVersion),
      budgetId: over.budgetId,
      period: over.period,
    },
  };
}

/** The refused budget period's figures as the item holds them after the tally. */
export function refusalFigures(item: object, budget: Refuse): BudgetRefusalFigures {
  const state = ledgerStateOf(item);
  const key = chargeKey(budget);
  return {
    budgetId: budget.budgetId,
    period: budget.period,
    committedPicoUsd: state.committed.get(key) ?? 0n,
    reservedPicoUsd: reservedOn(state, key),
  };
}
