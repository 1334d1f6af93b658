import type { LedgerState } from '../ports/budget-ledger.ts';
import type { Budget } from './budget.ts';
import { periodEndMs, periodKey, periodStartMs } from './budget-period.ts';
import { chargeKey } from './reservation.ts';

/** A budget's current period as its ledger shows it. */
export interface BudgetStatus {
  readonly period: string;
  readonly startsAtMs: number;
  readonly resetsAtMs: number;
  /** Settled actual cost, pico-USD. */
  readonly spentPicoUsd: bigint;
  /** Maximum cost of requests still in flight, pico-USD. */
  readonly reservedPicoUsd: bigint;
  readonly blocked: number;
}

/** What `budget` has spent, has reserved and has refused in the period `nowMs` falls in. */
export function budgetStatus(budget: Budget, ledger: LedgerState, nowMs: number): BudgetStatus {
  const period = periodKey(budget.period, nowMs);
  const key = chargeKey({ budgetId: budget.budgetId, period });
  let reservedPicoUsd = 0n;
  for (const reservation of ledger.reservations) {
    if (reservation.charges.some((charge) => chargeKey(charge) === key)) {
      reservedPicoUsd += reservation.reservedPicoUsd;
    }
  }
  return {
    period,
    startsAtMs: periodStartMs(period),
    resetsAtMs: periodEndMs(period),
    spentPicoUsd: (ledger.committed.get(key) ?? 0n) - reservedPicoUsd,
    reservedPicoUsd,
    blocked: ledger.blocked.get(key) ?? 0,
  };
}

/** `spent` as a share of the limit, in percent, rounded down to one decimal. */
export function percentUsed(budget: Budget, spentPicoUsd: bigint): number {
  const { limitPicoUsd } = budget.conversion;
  if (limitPicoUsd <= 0n) return 0;
  return Number((spentPicoUsd * 1000n) / limitPicoUsd) / 10;
}
