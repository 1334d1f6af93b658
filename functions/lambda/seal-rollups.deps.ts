import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoRollupStore } from '#adapters/dynamodb/dynamo-rollup-store.ts';
import { SystemClock } from '#adapters/system/system-clock.ts';
import type { Clock } from '#core/ports/clock.ts';
import type { Logger } from '#core/ports/logger.ts';
import type { SealRollupsHandlerDeps } from '#handlers/seal-rollups.ts';

/** What the seal job needs that differs between runtimes. */
export interface SealRollupsRuntimeConfig {
  readonly documentClient: DynamoDBDocumentClient;
  readonly usageTable: string;
  readonly logger: Logger;
  /** @default - the system clock */
  readonly clock?: Clock;
}

/** The seal job's graph. Shared by the Lambda root and the local scheduler. */
export function buildSealRollupsDeps(config: SealRollupsRuntimeConfig): SealRollupsHandlerDeps {
  const clock = config.clock ?? new SystemClock();
  return {
    rollups: new DynamoRollupStore({
      client: config.documentClient,
      tableName: config.usageTable,
      clock,
    }),
    clock,
    logger: config.logger,
  };
}
