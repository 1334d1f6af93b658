// Settling a batch's budget reservations on the in-memory ledger: each record's reserved maximum
// replaced by its actual cost once, the first failed record reported, and a reservation below the
// actual cost logged. $1 = 10^12 pico-USD.
import { describe, expect, it } from 'vitest';
import type { BudgetReservation } from '#core/budgets/reservation.ts';
import { settleReservations } from '#core/budgets/settle-reservations.ts';
import { InMemoryBudgets } from '../../../fakes/in-memory-budgets.ts';
import { USD } from '../../../fixtures/budget.ts';
import { type CapturedLog, capturingLogger } from '../../../fixtures/capturing-logger.ts';
import { usageRecord } from '../../../fixtures/usage-record.ts';

const CHARGES = [{ budgetId: 'bud_00000001', period: '2026-12' }];
const KEY = 'bud_00000001@2026-12';

function ledgerWith(reservations: Record<string, bigint>) {
  const ledger = new InMemoryBudgets();
  for (const [requestId, reservedPicoUsd] of Object.entries(reservations)) {
    ledger.reserve('acct', {
      kind: 'reserve',
      viewVersion: undefined,
      requestId,
      reservedPicoUsd,
      charges: CHARGES.map((charge) => ({ ...charge, ceilingPicoUsd: 100n * USD })),
      reservedAtMs: 0,
    });
  }
  return ledger;
}

const reserved = (reservedPicoUsd: bigint): BudgetReservation => ({
  reservedPicoUsd,
  charges: CHARGES,
});

describe('settleReservations', () => {
  it('replaces each reservation by its actual cost once, an unpriced one by 0', async () => {
    // Arrange: $3 + $2 reserved; actual $1 and unpriced; one record without a reservation
    const ledger = ledgerWith({ 'req-1': 3n * USD, 'req-2': 2n * USD });
    const batch = [
      usageRecord({ requestId: 'req-1', costPicoUsd: USD, budgetReservation: reserved(3n * USD) }),
      usageRecord({ requestId: 'req-x', costPicoUsd: 7n * USD }),
      usageRecord({ requestId: 'req-2', costPicoUsd: null, budgetReservation: reserved(2n * USD) }),
    ].map((record) => ({ record }));
    const deps = { ledger, logger: capturingLogger([]) };

    // Act
    const first = await settleReservations(deps, batch);
    const again = await settleReservations(deps, batch);

    // Assert
    expect([first, again]).toEqual([undefined, undefined]);
    const state = await ledger.state('acct');
    expect(state.committed.get(KEY)).toBe(USD);
    expect(state.reservations).toEqual([]);
  });

  it('reports the earliest record whose settle failed and still settles the others', async () => {
    // Arrange: the settles of req-2 and req-3 fail
    const ledger = ledgerWith({ 'req-1': USD, 'req-2': USD, 'req-3': USD });
    const settle = ledger.settle.bind(ledger);
    ledger.settle = async (accountId, requestId, reservation, actual) => {
      if (requestId === 'req-2') throw new RangeError('throttled');
      if (requestId === 'req-3') throw 'throttled';
      return settle(accountId, requestId, reservation, actual);
    };
    const logs: CapturedLog[] = [];
    const batch = ['req-0', 'req-1', 'req-2', 'req-3'].map((requestId, index) => ({
      record: usageRecord({
        requestId,
        costPicoUsd: USD / 2n,
        budgetReservation: index === 0 ? undefined : reserved(USD),
      }),
    }));

    // Act
    const failedFrom = await settleReservations({ ledger, logger: capturingLogger(logs) }, batch);

    // Assert
    expect(failedFrom).toBe(2);
    expect((await ledger.state('acct')).reservations.map((r) => r.requestId)).toEqual([
      'req-2',
      'req-3',
    ]);
    expect(logs).toEqual(
      [
        ['req-2', 'RangeError'],
        ['req-3', 'unknown'],
      ].map(([requestId, error]) => ({
        level: 'warn',
        message: 'budget settle failed; the batch is redelivered from its record',
        fields: { requestId, error },
      })),
    );
  });

  it('logs a reservation below the actual cost, unless the tokens were estimated', async () => {
    const ledger = ledgerWith({ 'req-1': USD, 'req-2': USD, 'req-3': USD });
    const logs: CapturedLog[] = [];
    const record = (requestId: string, costPicoUsd: bigint, estimated: boolean) => ({
      record: usageRecord({
        requestId,
        costPicoUsd,
        estimated,
        budgetReservation: reserved(USD),
      }),
    });

    await settleReservations({ ledger, logger: capturingLogger(logs) }, [
      record('req-1', 2n * USD, false),
      record('req-2', 2n * USD, true),
      record('req-3', USD, false),
    ]);

    expect(logs).toEqual([
      {
        level: 'warn',
        message: 'budget reservation below actual cost',
        fields: {
          requestId: 'req-1',
          provider: 'openai',
          model: 'gpt-4o-mini',
          reservedPicoUsd: '1000000000000',
          actualPicoUsd: '2000000000000',
        },
      },
    ]);
    expect((await ledger.state('acct')).committed.get(KEY)).toBe(5n * USD);
  });
});
