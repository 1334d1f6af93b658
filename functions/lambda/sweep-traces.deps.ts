import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoRequestTraceStore } from '#adapters/dynamodb/dynamo-request-trace-store.ts';
import { DynamoUsageStore } from '#adapters/dynamodb/dynamo-usage-store.ts';
import { SystemClock } from '#adapters/system/system-clock.ts';
import type { Clock } from '#core/ports/clock.ts';
import type { Logger } from '#core/ports/logger.ts';
import type { UsageStore } from '#core/ports/usage-store.ts';
import type { SweepTracesHandlerDeps } from '#handlers/sweep-traces.ts';

/** What the trace sweeper needs that differs between runtimes. */
export interface SweepTracesRuntimeConfig {
  readonly documentClient: DynamoDBDocumentClient;
  readonly usageTable: string;
  readonly logger: Logger;
  /** @default - the system clock */
  readonly clock?: Clock;
  /**
   * Wraps the usage store the sweeper appends records to (local mode feeds the aggregator from
   * it, as the proxy's store does). @default - the DynamoDB store as is (the table's stream)
   */
  readonly wrapUsage?: (store: UsageStore) => UsageStore;
}

/** The trace sweeper's graph. Shared by the Lambda root and the local scheduler. */
export function buildSweepTracesDeps(config: SweepTracesRuntimeConfig): SweepTracesHandlerDeps {
  const clock = config.clock ?? new SystemClock();
  const usage = new DynamoUsageStore({
    client: config.documentClient,
    tableName: config.usageTable,
    clock,
  });
  return {
    traces: new DynamoRequestTraceStore({
      client: config.documentClient,
      tableName: config.usageTable,
    }),
    usage: config.wrapUsage ? config.wrapUsage(usage) : usage,
    clock,
    logger: config.logger,
  };
}
