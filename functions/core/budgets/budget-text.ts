import { describeScope } from '../attribution/scope.ts';
import { perUsd } from '../currency/fx.ts';
import { convertPicoUsdHalfEven, scaledDecimal } from '../currency/money-text.ts';
import type { Budget } from './budget.ts';
import { periodEndMs, utcMinute } from './budget-period.ts';

/** `EUR 50.00`: the budget's limit as set. */
export function limitText(budget: Pick<Budget, 'limitCents' | 'currency'>): string {
  return `${budget.currency} ${scaledDecimal(BigInt(budget.limitCents), 2)}`;
}

/**
 * Pico-USD in the budget's currency, at the rate its limit was converted with (so the figures
 * and the limit compare as the proxy compares them), half-even to `decimals` places.
 */
export function moneyText(
  picoUsd: bigint,
  budget: Pick<Budget, 'currency' | 'conversion'>,
  decimals = 2,
): string {
  const rate = perUsd(budget.currency, budget.conversion.fx);
  return `${budget.currency} ${convertPicoUsdHalfEven(picoUsd, rate, decimals)}`;
}

/** `"Search" (tag feature:search, EUR 50.00 per month)` */
export function budgetLabel(budget: Budget): string {
  return `"${budget.name}" (${describeScope(budget.scope)}, ${limitText(budget)} per ${budget.period})`;
}

/** `It resets at 2027-01-01 00:00 UTC.` */
export function resetText(period: string): string {
  return `It resets at ${utcMinute(periodEndMs(period))}.`;
}
