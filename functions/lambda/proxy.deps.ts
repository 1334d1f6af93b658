import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAccountDataKeyStore } from '#adapters/dynamodb/dynamo-account-data-key-store.ts';
import { DynamoBudgetStore } from '#adapters/dynamodb/dynamo-budget-store.ts';
import { DynamoPriceVersionStore } from '#adapters/dynamodb/dynamo-price-version-store.ts';
import { DynamoProxyAdmission } from '#adapters/dynamodb/dynamo-proxy-admission.ts';
import { DynamoRequestTraceWriter } from '#adapters/dynamodb/dynamo-request-trace-writer.ts';
import { DynamoResponseCacheStore } from '#adapters/dynamodb/dynamo-response-cache-store.ts';
import { DynamoUsageStore } from '#adapters/dynamodb/dynamo-usage-store.ts';
import { FetchUpstreamClient } from '#adapters/http/fetch-upstream-client.ts';
import { CryptoRandom } from '#adapters/system/crypto-random.ts';
import { SystemClock } from '#adapters/system/system-clock.ts';
import { GptTokenizerCounter } from '#adapters/tokenizer/gpt-tokenizer-counter.ts';
import { BudgetViewCache } from '#core/budgets/budget-view-cache.ts';
import type { MonotonicClock } from '#core/ports/clock.ts';
import type { DataKeyProvider } from '#core/ports/data-key-provider.ts';
import type { Logger } from '#core/ports/logger.ts';
import type { UpstreamClient } from '#core/ports/upstream-client.ts';
import type { UsageStore } from '#core/ports/usage-store.ts';
import { BUNDLED_PRICES } from '#core/pricing/bundled-prices.ts';
import { createLivePrices } from '#core/pricing/live-prices.ts';
import { createProxyService } from '#core/proxy/proxy-service.ts';
import {
  resolveUpstreamOrigins,
  type UpstreamOriginOverrides,
} from '#core/proxy/upstream-request.ts';
import { createSecretVault } from '#core/vault/secret-vault.ts';
import type { ProxyHandlerDeps } from '#handlers/proxy.ts';

/** Everything the proxy needs that differs between runtimes, already resolved. */
export interface ProxyRuntimeConfig {
  readonly documentClient: DynamoDBDocumentClient;
  readonly accountsTable: string;
  readonly usageTable: string;
  /** The proxy's response cache. */
  readonly responseCacheTable: string;
  /** Stored price versions; the proxy checks for a new one every few minutes, in the background. */
  readonly pricesTable: string;
  /** @default PRICE_CHECK_INTERVAL_MS (5 minutes) */
  readonly priceCheckIntervalMs?: number | undefined;
  /** Providers not named use the registry's origin. */
  readonly upstreamOrigins: UpstreamOriginOverrides;
  /** Server-side secret for Metrion Key digests. */
  readonly pepper: Uint8Array;
  readonly dataKeyProvider: DataKeyProvider;
  readonly logger: Logger;
  /** Tests and benchmarks may swap the upstream transport; defaults to fetch. */
  readonly upstream?: UpstreamClient;
  /** @default 30_000 */
  readonly headerTimeoutMs?: number;
  /** @default 30_000 */
  readonly idleTimeoutMs?: number;
  /** Tests pin time (limit windows, cache expiry, phase timing). @default - the system clock */
  readonly clock?: MonotonicClock;
  /** Browser origins allowed to call the proxy directly. @default [] */
  readonly corsAllowedOrigins?: readonly string[];
  /**
   * Wraps the usage store the proxy appends to. Local mode has no DynamoDB Streams: it wraps
   * the store to feed each appended record to the usage aggregator in process.
   * @default - the DynamoDB store as is (in AWS the table's stream feeds the aggregator)
   */
  readonly wrapUsage?: (store: UsageStore) => UsageStore;
}

/** Builds the proxy's object graph. Shared by the Lambda root and the local root. */
export function buildProxyDeps(config: ProxyRuntimeConfig): ProxyHandlerDeps {
  const clock = config.clock ?? new SystemClock();
  const random = new CryptoRandom();
  const wrapUsage = config.wrapUsage ?? ((store: UsageStore) => store);
  const accounts = { client: config.documentClient, tableName: config.accountsTable };
  const prices = createLivePrices({
    store: new DynamoPriceVersionStore({
      client: config.documentClient,
      tableName: config.pricesTable,
    }),
    clock,
    logger: config.logger,
    fallback: BUNDLED_PRICES,
    checkIntervalMs: config.priceCheckIntervalMs,
  });
  // Read the stored version while the first requests are on their way (never waited on).
  prices.current();
  const proxy = createProxyService({
    admission: new DynamoProxyAdmission(accounts),
    budgetViews: new BudgetViewCache(),
    budgets: new DynamoBudgetStore(accounts),
    // The record is the proxy's only write after a request: rollups are built from the
    // table's stream by the usage aggregator (functions/handlers/aggregate-usage.ts).
    usage: wrapUsage(
      new DynamoUsageStore({ client: config.documentClient, tableName: config.usageTable, clock }),
    ),
    // A request the provider may bill leaves a trace while it runs (one PutItem in parallel
    // with the upstream call), so the trace sweeper can record it if this process dies.
    traces: new DynamoRequestTraceWriter({
      client: config.documentClient,
      tableName: config.usageTable,
    }),
    responseCache: new DynamoResponseCacheStore({
      client: config.documentClient,
      tableName: config.responseCacheTable,
    }),
    vault: createSecretVault({
      dataKeyProvider: config.dataKeyProvider,
      // Read only when sealing, which the proxy never does: it opens.
      accountDataKeys: new DynamoAccountDataKeyStore({
        client: config.documentClient,
        tableName: config.accountsTable,
      }),
      random,
      clock,
    }),
    pepper: config.pepper,
    upstream: config.upstream ?? new FetchUpstreamClient(),
    clock,
    logger: config.logger,
    origins: resolveUpstreamOrigins(config.upstreamOrigins),
    headerTimeoutMs: config.headerTimeoutMs ?? 30_000,
    idleTimeoutMs: config.idleTimeoutMs ?? 30_000,
    tokenCounter: new GptTokenizerCounter(),
    prices,
  });
  return {
    proxy,
    clock,
    logger: config.logger,
    corsAllowedOrigins: config.corsAllowedOrigins ?? [],
  };
}
