import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Logger } from '#core/ports/logger.ts';
import type { AggregateUsageStore } from '#core/rollups/aggregate-usage.ts';
import type { StoredUsageRecord } from '#core/rollups/rollup.ts';
import { createAggregateUsageHandler } from '#handlers/aggregate-usage.ts';
import { FakeClock } from '../../fakes/fake-clock.ts';
import { InMemoryBudgets } from '../../fakes/in-memory-budgets.ts';
import {
  sequenceNumber,
  streamEvent,
  streamRecord,
} from '../../fixtures/events/dynamodb-stream.ts';
import { usageRecord } from '../../fixtures/usage-record.ts';

const WRITTEN_AT_S = 1_777_000_000;

/** Rollup writes that always succeed. */
const ACCEPTING_STORE: AggregateUsageStore = {
  markDirty: async () => undefined,
  addToRollup: async () => undefined,
  putErrors: async () => undefined,
  addToTagRollup: async () => undefined,
  noteTagKey: async () => undefined,
};

function recordingLogger() {
  const lines: { message: string; fields?: Record<string, unknown> }[] = [];
  const logger: Logger = {
    info: (message, fields) => lines.push({ message, ...(fields ? { fields } : {}) }),
    warn: () => undefined,
    error: () => undefined,
  };
  return { lines, logger };
}

describe('createAggregateUsageHandler metrics', () => {
  it('puts the batch metrics on its "usage aggregated" line, lag from the oldest stream write', async () => {
    const records = [
      usageRecord({ costPicoUsd: 7n }),
      usageRecord({ costPicoUsd: null, model: 'brand-new-model' }),
    ];
    const changes = records.map((_record, index) => {
      const change = streamRecord(marshall({ pk: 'p', sk: `s${index}` }), sequenceNumber(index));
      if (change.dynamodb) change.dynamodb.ApproximateCreationDateTime = WRITTEN_AT_S + index;
      return change;
    });
    const { lines, logger } = recordingLogger();
    const handler = createAggregateUsageHandler({
      rollups: ACCEPTING_STORE,
      logger,
      clock: new FakeClock({ startMs: WRITTEN_AT_S * 1000 + 1_200 }),
      budgetLedger: new InMemoryBudgets(),
      recordFromImage: (image): StoredUsageRecord | undefined => {
        const record = records[Number((image.sk as { S: string }).S.slice(1))];
        return record && { record, expiresAtEpochSeconds: 0 };
      },
    });

    await handler(streamEvent(changes));

    const line = lines.find((entry) => entry.message === 'usage aggregated');
    expect(line?.fields?.metrics).toEqual({
      Requests: 2,
      UnpricedRequests: 1,
      AggregatorLagMs: 1_200,
    });
  });
});
