import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoPriceVersionStore } from '#adapters/dynamodb/dynamo-price-version-store.ts';
import { GenaiPricesHttpSource } from '#adapters/http/genai-prices-source.ts';
import { SystemClock } from '#adapters/system/system-clock.ts';
import type { Clock } from '#core/ports/clock.ts';
import type { Logger } from '#core/ports/logger.ts';
import { GENAI_PRICES_VERSION, GENERATED_PRICES } from '#core/pricing/generated-prices.ts';
import type { PriceRefreshHandlerDeps } from '#handlers/price-refresh.ts';

/** What the price refresh needs that differs between runtimes. */
export interface PriceRefreshRuntimeConfig {
  readonly documentClient: DynamoDBDocumentClient;
  readonly pricesTable: string;
  /** @default - the genai-prices repository's maintained data file */
  readonly pricesUrl?: string | undefined;
  readonly logger: Logger;
  /** @default - the system clock */
  readonly clock?: Clock | undefined;
}

/** The price refresh's graph. Shared by the Lambda root and the local scheduler. */
export function buildPriceRefreshDeps(config: PriceRefreshRuntimeConfig): PriceRefreshHandlerDeps {
  return {
    source: new GenaiPricesHttpSource({ url: config.pricesUrl }),
    store: new DynamoPriceVersionStore({
      client: config.documentClient,
      tableName: config.pricesTable,
    }),
    clock: config.clock ?? new SystemClock(),
    logger: config.logger,
    bundled: { dataVersion: `genai-prices@${GENAI_PRICES_VERSION}`, table: GENERATED_PRICES },
  };
}
