import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoPriceVersionStore } from '#adapters/dynamodb/dynamo-price-version-store.ts';
import { DynamoRepriceStore } from '#adapters/dynamodb/dynamo-reprice-store.ts';
import { DynamoRollupStore } from '#adapters/dynamodb/dynamo-rollup-store.ts';
import { SystemClock } from '#adapters/system/system-clock.ts';
import type { Clock } from '#core/ports/clock.ts';
import type { Logger } from '#core/ports/logger.ts';
import { BUNDLED_PRICES } from '#core/pricing/bundled-prices.ts';
import { createLivePrices } from '#core/pricing/live-prices.ts';
import type { RepriceHandlerDeps } from '#handlers/reprice.ts';

/** What the re-pricing job needs that differs between runtimes. */
export interface RepriceRuntimeConfig {
  readonly documentClient: DynamoDBDocumentClient;
  readonly usageTable: string;
  /** The stored price versions: a run re-prices with the current one. */
  readonly pricesTable: string;
  readonly logger: Logger;
  /** @default - the system clock */
  readonly clock?: Clock | undefined;
}

/** The re-pricing job's graph. Shared by the Lambda root and `npm run admin -- reprice`. */
export function buildRepriceDeps(config: RepriceRuntimeConfig): RepriceHandlerDeps {
  const clock = config.clock ?? new SystemClock();
  const stores = { client: config.documentClient, tableName: config.usageTable, clock };
  return {
    records: new DynamoRepriceStore(stores),
    rollups: new DynamoRollupStore(stores),
    prices: createLivePrices({
      store: new DynamoPriceVersionStore({
        client: config.documentClient,
        tableName: config.pricesTable,
      }),
      clock,
      logger: config.logger,
      fallback: BUNDLED_PRICES,
    }),
    clock,
    logger: config.logger,
  };
}
