import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAccountStore } from '#adapters/dynamodb/dynamo-account-store.ts';
import { DynamoBudgetLedger } from '#adapters/dynamodb/dynamo-budget-ledger.ts';
import { DynamoBudgetStore } from '#adapters/dynamodb/dynamo-budget-store.ts';
import { DynamoFxRateStore } from '#adapters/dynamodb/dynamo-fx-rate-store.ts';
import { SystemClock } from '#adapters/system/system-clock.ts';
import type { SweepBudgetsDeps } from '#core/budgets/sweep-budgets.ts';
import type { Clock } from '#core/ports/clock.ts';
import type { Logger } from '#core/ports/logger.ts';
import { type AlertMailConfig, alertMailer } from './alert-mailer.ts';

/** What the budget sweep needs that differs between runtimes. */
export interface BudgetSweepRuntimeConfig {
  readonly documentClient: DynamoDBDocumentClient;
  readonly accountsTable: string;
  readonly fxRatesTable: string;
  /** The alert mailer: budget emails go out like alert emails. */
  readonly mail: AlertMailConfig;
  /** The Dashboard's base URL, for links in emails. */
  readonly dashboardUrl: string;
  readonly logger: Logger;
  /** @default - the system clock */
  readonly clock?: Clock;
}

/** The budget sweep's graph. Shared by the Lambda root and the local scheduler. */
export function buildBudgetSweepDeps(config: BudgetSweepRuntimeConfig): SweepBudgetsDeps {
  const accounts = { client: config.documentClient, tableName: config.accountsTable };
  return {
    budgets: new DynamoBudgetStore(accounts),
    ledger: new DynamoBudgetLedger(accounts),
    accounts: new DynamoAccountStore(accounts),
    fxRates: new DynamoFxRateStore({
      client: config.documentClient,
      tableName: config.fxRatesTable,
    }),
    mailer: alertMailer(config.mail),
    clock: config.clock ?? new SystemClock(),
    logger: config.logger,
    dashboardUrl: config.dashboardUrl,
  };
}
