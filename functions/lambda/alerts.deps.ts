import { DynamoAccountStore } from '#adapters/dynamodb/dynamo-account-store.ts';
import { DynamoAlertFiringStore } from '#adapters/dynamodb/dynamo-alert-firing-store.ts';
import { DynamoAlertSweepStore } from '#adapters/dynamodb/dynamo-alert-sweep-store.ts';
import { DynamoFxRateStore } from '#adapters/dynamodb/dynamo-fx-rate-store.ts';
import { DynamoRollupStore } from '#adapters/dynamodb/dynamo-rollup-store.ts';
import { CryptoRandom } from '#adapters/system/crypto-random.ts';
import { SystemClock } from '#adapters/system/system-clock.ts';
import type { EvaluateAlertsOptions } from '#core/alerts/evaluate-alerts.ts';
import { exactUsage } from '#core/alerts/exact-usage.ts';
import { scopedUsage } from '#core/alerts/scoped-usage.ts';
import type { Clock } from '#core/ports/clock.ts';
import type { Logger } from '#core/ports/logger.ts';
import type { AlertsHandlerDeps } from '#handlers/alerts.ts';
import { type AlertDeliveryConfig, buildAlertDeliveryDeps } from './alert-delivery.deps.ts';

/** What the alert evaluator needs that differs between runtimes. */
export interface AlertsRuntimeConfig extends AlertDeliveryConfig {
  readonly usageTable: string;
  readonly fxRatesTable: string;
  /** The Dashboard's base URL, for links in emails. */
  readonly dashboardUrl: string;
  readonly logger: Logger;
  readonly options?: EvaluateAlertsOptions | undefined;
  /** @default - the system clock */
  readonly clock?: Clock;
}

/** The alert evaluator's graph. Shared by the Lambda root and the local scheduler. */
export function buildAlertsDeps(config: AlertsRuntimeConfig): AlertsHandlerDeps {
  const clock = config.clock ?? new SystemClock();
  const client = config.documentClient;
  const random = new CryptoRandom();
  const accounts = { client, tableName: config.accountsTable };
  const rollups = new DynamoRollupStore({ client, tableName: config.usageTable, clock });
  return {
    ...buildAlertDeliveryDeps(config, { clock, random }),
    sweep: new DynamoAlertSweepStore(accounts),
    firing: new DynamoAlertFiringStore(accounts),
    accounts: new DynamoAccountStore(accounts),
    usage: scopedUsage(rollups),
    exactUsage: exactUsage(rollups),
    fxRates: new DynamoFxRateStore({ client, tableName: config.fxRatesTable }),
    dashboardUrl: config.dashboardUrl,
    options: config.options,
  };
}
