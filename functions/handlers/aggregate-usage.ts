import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { usageBatchMetrics } from '#core/observability/usage-batch-metrics.ts';
import type { BudgetLedger } from '#core/ports/budget-ledger.ts';
import type { Clock } from '#core/ports/clock.ts';
import type { Logger } from '#core/ports/logger.ts';
import { type AggregateUsageStore, aggregateUsage } from '#core/rollups/aggregate-usage.ts';
import type { StoredUsageRecord } from '#core/rollups/rollup.ts';

export interface AggregateUsageHandlerDeps {
  readonly rollups: AggregateUsageStore;
  readonly logger: Logger;
  /** Settles the records' budget reservations. */
  readonly budgetLedger: Pick<BudgetLedger, 'settle'>;
  /** Measures how long records waited on the stream (the `AggregatorLagMs` metric). */
  readonly clock: Clock;
  /** The usage record a new item image holds; undefined for any other item kind. */
  readonly recordFromImage: (
    image: Readonly<Record<string, unknown>>,
  ) => StoredUsageRecord | undefined;
}

/**
 * The usage aggregator (DynamoDB Stream of the usage table, inserts of usage records only):
 * folds the batch into the live rollups and settles its budget reservations (`aggregateUsage`). When a write failed it answers the
 * sequence number of the first record to deliver again (partial batch response,
 * `ReportBatchItemFailures`): Lambda checkpoints before it and retries from it.
 */
export function createAggregateUsageHandler(deps: AggregateUsageHandlerDeps) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const batch: StoredUsageRecord[] = [];
    const sequenceNumbers: string[] = [];
    let oldestWrittenAtMs: number | undefined;
    for (const change of event.Records) {
      const stored = insertedRecord(deps, change);
      const sequenceNumber = change.dynamodb?.SequenceNumber;
      if (stored === undefined || sequenceNumber === undefined) continue;
      batch.push(stored);
      sequenceNumbers.push(sequenceNumber);
      oldestWrittenAtMs = earlier(oldestWrittenAtMs, writtenAtMs(change));
    }
    const report = await aggregateUsage(deps, batch);
    deps.logger.info('usage aggregated', {
      records: batch.length,
      aggregated: report.aggregated,
      rollupsAdded: report.rollupsAdded,
      tagRollupsAdded: report.tagRollupsAdded,
      metrics: usageBatchMetrics(
        batch.map((stored) => stored.record),
        oldestWrittenAtMs,
        deps.clock.nowMs(),
      ),
    });
    const retryFrom =
      report.retryFrom === undefined ? undefined : sequenceNumbers[report.retryFrom];
    return { batchItemFailures: retryFrom === undefined ? [] : [{ itemIdentifier: retryFrom }] };
  };
}

/**
 * The usage record a stream change inserted; undefined for other events and items (the event
 * source's filter already drops them; this keeps the handler right without it). An image that
 * does not decode is logged and skipped: retrying cannot fix it, and its hour needs a reseal.
 */
function insertedRecord(
  deps: AggregateUsageHandlerDeps,
  change: DynamoDBRecord,
): StoredUsageRecord | undefined {
  const image = change.dynamodb?.NewImage;
  if (change.eventName !== 'INSERT' || image === undefined) return undefined;
  try {
    return deps.recordFromImage(image);
  } catch (error) {
    deps.logger.error('usage stream image could not be decoded; reseal its hour', {
      sequenceNumber: change.dynamodb?.SequenceNumber,
      keys: change.dynamodb?.Keys,
      error: error instanceof Error ? error.name : 'unknown',
    });
    return undefined;
  }
}

/** When the stream says the change was written (it keeps whole seconds), in milliseconds. */
function writtenAtMs(change: DynamoDBRecord): number | undefined {
  const seconds = change.dynamodb?.ApproximateCreationDateTime;
  return seconds === undefined ? undefined : seconds * 1000;
}

function earlier(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  return b === undefined ? a : Math.min(a, b);
}
