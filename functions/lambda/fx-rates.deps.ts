import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoFxRateStore } from '#adapters/dynamodb/dynamo-fx-rate-store.ts';
import { EcbReferenceRateSource } from '#adapters/http/ecb-rate-source.ts';
import type { Logger } from '#core/ports/logger.ts';
import type { FxRatesHandlerDeps } from '#handlers/fx-rates.ts';

/** What the fx-rates job needs that differs between runtimes. */
export interface FxRatesRuntimeConfig {
  readonly documentClient: DynamoDBDocumentClient;
  readonly fxRatesTable: string;
  /** @default - the ECB's daily XML */
  readonly fxRatesUrl?: string | undefined;
  readonly logger: Logger;
}

/** The fx-rates job's graph. Shared by the Lambda root and the local scheduler. */
export function buildFxRatesDeps(config: FxRatesRuntimeConfig): FxRatesHandlerDeps {
  return {
    source: new EcbReferenceRateSource({ url: config.fxRatesUrl }),
    store: new DynamoFxRateStore({ client: config.documentClient, tableName: config.fxRatesTable }),
    logger: config.logger,
  };
}
