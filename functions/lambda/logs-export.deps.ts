import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CognitoTokenVerifier } from '#adapters/cognito/cognito-token-verifier.ts';
import { DynamoAccountStore } from '#adapters/dynamodb/dynamo-account-store.ts';
import { DynamoFxRateStore } from '#adapters/dynamodb/dynamo-fx-rate-store.ts';
import { DynamoTagRollupStore } from '#adapters/dynamodb/dynamo-tag-rollup-store.ts';
import { DynamoUsageLogReader } from '#adapters/dynamodb/dynamo-usage-log-reader.ts';
import { SystemClock } from '#adapters/system/system-clock.ts';
import { createLogsExporter } from '#core/logs/logs-export.ts';
import type { Clock } from '#core/ports/clock.ts';
import type { Logger } from '#core/ports/logger.ts';
import type { LogsExportHandlerDeps } from '#handlers/logs-export.ts';

/**
 * What the CSV export needs that differs between runtimes: usage reads (records and the account's
 * tag keys), the account's currency and the FX rates (for the converted cost columns), and token
 * checks.
 */
export interface LogsExportRuntimeConfig {
  readonly documentClient: DynamoDBDocumentClient;
  readonly usageTable: string;
  readonly accountsTable: string;
  readonly fxRatesTable: string;
  readonly logger: Logger;
  /** The user pool whose ID tokens are accepted: token `iss` and app client id. */
  readonly cognito: { readonly issuer: string; readonly clientId: string };
  /** Tests pin time (ranges, expiry). @default - the system clock */
  readonly clock?: Clock;
}

/** Builds the export's object graph. Shared by the Lambda root and the local root. */
export function buildLogsExportDeps(config: LogsExportRuntimeConfig): LogsExportHandlerDeps {
  const clock = config.clock ?? new SystemClock();
  return {
    logs: createLogsExporter({
      logs: new DynamoUsageLogReader({
        client: config.documentClient,
        tableName: config.usageTable,
        clock,
      }),
      tagKeys: new DynamoTagRollupStore({
        client: config.documentClient,
        tableName: config.usageTable,
        clock,
      }),
      accounts: new DynamoAccountStore({
        client: config.documentClient,
        tableName: config.accountsTable,
      }),
      fxRates: new DynamoFxRateStore({
        client: config.documentClient,
        tableName: config.fxRatesTable,
      }),
      clock,
    }),
    tokens: new CognitoTokenVerifier({
      issuer: config.cognito.issuer,
      clientId: config.cognito.clientId,
    }),
    clock,
    logger: config.logger,
  };
}
