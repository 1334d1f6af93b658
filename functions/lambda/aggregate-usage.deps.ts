import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoBudgetLedger } from '#adapters/dynamodb/dynamo-budget-ledger.ts';
import { DynamoRollupStore } from '#adapters/dynamodb/dynamo-rollup-store.ts';
import { usageRecordFromStreamImage } from '#adapters/dynamodb/usage-stream-image.ts';
import { SystemClock } from '#adapters/system/system-clock.ts';
import type { Clock } from '#core/ports/clock.ts';
import type { Logger } from '#core/ports/logger.ts';
import type { AggregateUsageHandlerDeps } from '#handlers/aggregate-usage.ts';

/** What the usage aggregator needs that differs between runtimes. */
export interface AggregateUsageRuntimeConfig {
  readonly documentClient: DynamoDBDocumentClient;
  readonly usageTable: string;
  /** Where the budget ledgers the records settle live (the Metrion Key lookup items). */
  readonly accountsTable: string;
  readonly logger: Logger;
  /** @default - the system clock */
  readonly clock?: Clock;
}

/**
 * The usage aggregator's graph: rollups on the usage table, budget settles on the accounts table. Shared by the Lambda root (stream events) and the local root
 * (its in-process feed of appended records calls the same core function with these stores).
 */
export function buildAggregateUsageDeps(
  config: AggregateUsageRuntimeConfig,
): AggregateUsageHandlerDeps {
  const clock = config.clock ?? new SystemClock();
  return {
    rollups: new DynamoRollupStore({
      client: config.documentClient,
      tableName: config.usageTable,
      clock,
    }),
    logger: config.logger,
    budgetLedger: new DynamoBudgetLedger({
      client: config.documentClient,
      tableName: config.accountsTable,
    }),
    clock,
    recordFromImage: usageRecordFromStreamImage,
  };
}
