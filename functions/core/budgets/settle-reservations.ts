import type { BudgetLedger } from '../ports/budget-ledger.ts';
import type { Logger } from '../ports/logger.ts';
import type { UsageRecord } from '../usage/usage-record.ts';

export interface SettleReservationsDeps {
  readonly ledger: Pick<BudgetLedger, 'settle'>;
  readonly logger: Logger;
}

/** Settles at once, at most: enough to hide round trips, few enough not to burst one item. */
const SETTLE_CONCURRENCY = 8;

/**
 * Settles the budget reservation of every record of a batch that carries one: its actual cost
 * (0 when unpriced: an unpriced model reserves nothing, so this only happens to records whose
 * price went missing) replaces its reserved maximum. Idempotent per record, so a redelivered
 * batch changes nothing. Answers the index of the first record whose settle failed (the batch
 * must be delivered again from it), or undefined. Never throws for a ledger failure.
 */
export async function settleReservations(
  deps: SettleReservationsDeps,
  batch: readonly { readonly record: UsageRecord }[],
): Promise<number | undefined> {
  const pending = batch
    .map(({ record }, index) => ({ record, index }))
    .filter(({ record }) => record.budgetReservation !== undefined);
  let failedFrom: number | undefined;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < pending.length) {
      const { record, index } = pending[next] as (typeof pending)[number];
      next += 1;
      try {
        await settleOne(deps, record);
      } catch (error) {
        failedFrom = Math.min(failedFrom ?? index, index);
        deps.logger.warn('budget settle failed; the batch is redelivered from its record', {
          requestId: record.requestId,
          error: error instanceof Error ? error.name : 'unknown',
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SETTLE_CONCURRENCY, pending.length) }, worker));
  return failedFrom;
}

async function settleOne(deps: SettleReservationsDeps, record: UsageRecord): Promise<void> {
  const reservation = record.budgetReservation;
  if (reservation === undefined) return;
  const actualPicoUsd = record.costPicoUsd ?? 0n;
  if (actualPicoUsd > reservation.reservedPicoUsd && !record.estimated) {
    // The bound was wrong (a price or a token count it did not foresee): the period may end
    // above its limit by the difference. Operators look for this line.
    deps.logger.warn('budget reservation below actual cost', {
      requestId: record.requestId,
      provider: record.provider,
      model: record.model,
      reservedPicoUsd: reservation.reservedPicoUsd.toString(),
      actualPicoUsd: actualPicoUsd.toString(),
    });
  }
  await deps.ledger.settle(record.accountId, record.requestId, reservation, actualPicoUsd);
}
