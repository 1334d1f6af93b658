import { pageReference } from '../accounts/dashboard-pages.ts';
import { BudgetExceededError } from '../errors.ts';
import type { BudgetRefusalFigures } from '../ports/proxy-admission.ts';
import { PROVIDERS, type ProviderId } from '../providers/provider-registry.ts';
import type { Budget } from './budget.ts';
import { budgetLabel, limitText, moneyText, resetText } from './budget-text.ts';
import type { MaxCost } from './reservation.ts';

const WHERE_TO_CHANGE = `Raise its limit or pause it on ${pageReference('budgets')}`;

/** A budget deleted between the refusal and this message: named by its id only. */
function gone(budgetId: string): BudgetExceededError {
  return new BudgetExceededError(
    `Budget ${budgetId} refused this request; it has since been deleted, so retrying may succeed.`,
    { budgetId, name: budgetId },
  );
}

/**
 * The 402 for a request that could cross a `block` budget: the budget, its limit, what is spent
 * and reserved by requests in flight, the most this request could cost, and when it resets.
 */
export function budgetExceededError(
  budget: Budget | undefined,
  figures: BudgetRefusalFigures,
  maxCostPicoUsd: bigint,
): BudgetExceededError {
  if (budget === undefined) return gone(figures.budgetId);
  const spent = figures.committedPicoUsd - figures.reservedPicoUsd;
  return new BudgetExceededError(
    `Budget ${budgetLabel(budget)} has no room for this request: spent ${moneyText(spent, budget)} and ${moneyText(figures.reservedPicoUsd, budget)} reserved by requests in flight, of a limit of ${limitText(budget)}; this request could cost up to ${moneyText(maxCostPicoUsd, budget, 6)}. ${resetText(figures.period)} ${WHERE_TO_CHANGE}, or send a smaller request (a lower max_tokens reserves less).`,
    budget,
  );
}

/**
 * The 402 of a `block` budget with `unpriced: block` for a request whose cost it cannot bound:
 * why, and how to let such requests through.
 */
export function unboundedCostError(
  budget: Budget | undefined,
  budgetId: string,
  request: { readonly provider: ProviderId; readonly model: string },
  maxCost: Exclude<MaxCost, { kind: 'bounded' }>,
): BudgetExceededError {
  if (budget === undefined) return gone(budgetId);
  const why =
    maxCost.kind === 'unpriced'
      ? `Metrion has no price for ${PROVIDERS[request.provider].displayName} model "${request.model}"`
      : maxCost.reason;
  return new BudgetExceededError(
    `Budget ${budgetLabel(budget)} blocks requests whose cost it cannot bound, and ${why}. To let such requests through, set "Unpriced models" to Allow for this budget on ${pageReference('budgets')} (or change its scope so it does not match them).`,
    budget,
  );
}
