import { centsToPicoUsdFloor, type FxQuote } from '../currency/fx.ts';
import type { BudgetSpec, LimitConversion } from './budget.ts';

/**
 * A limit in pico-USD at `quote` (the Dashboard's latest reference rate), rounded down, so a
 * budget never allows more than it states in its own currency.
 */
export function convertLimit(
  spec: Pick<BudgetSpec, 'limitCents' | 'currency'>,
  quote: FxQuote,
): LimitConversion {
  return { limitPicoUsd: centsToPicoUsdFloor(spec.limitCents, spec.currency, quote), fx: quote };
}
