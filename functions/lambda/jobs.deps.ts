import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoFxRateStore } from '#adapters/dynamodb/dynamo-fx-rate-store.ts';
import { DynamoRollupStore } from '#adapters/dynamodb/dynamo-rollup-store.ts';
import { EcbReferenceRateSource } from '#adapters/http/ecb-rate-source.ts';
import { SystemClock } from '#adapters/system/system-clock.ts';
import type { Clock } from '#core/ports/clock.ts';
import type { Logger } from '#core/ports/logger.ts';
import type { FxRatesHandlerDeps } from '#handlers/fx-rates.ts';
import type { SealRollupsHandlerDeps } from '#handlers/seal-rollups.ts';

/** The fx-rates job's graph. Shared by the Lambda root and the local scheduler. */
export function buildFxRatesDeps(config: {
  readonly documentClient: DynamoDBDocumentClient;
  readonly fxRatesTable: string;
  /** @default - the ECB's daily XML */
  readonly fxRatesUrl?: string;
  readonly logger: Logger;
}): FxRatesHandlerDeps {
  return {
    source: new EcbReferenceRateSource(
      config.fxRatesUrl === undefined ? {} : { url: config.fxRatesUrl },
    ),
    store: new DynamoFxRateStore({ client: config.documentClient, tableName: config.fxRatesTable }),
    logger: config.logger,
  };
}

/** The seal job's graph. Shared by the Lambda root and the local scheduler. */
export function buildSealRollupsDeps(config: {
  readonly documentClient: DynamoDBDocumentClient;
  readonly usageTable: string;
  readonly logger: Logger;
  /** @default - the system clock */
  readonly clock?: Clock;
}): SealRollupsHandlerDeps {
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
