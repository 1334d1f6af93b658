import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CognitoTokenVerifier } from '#adapters/cognito/cognito-token-verifier.ts';
import { DynamoAccountDataKeyStore } from '#adapters/dynamodb/dynamo-account-data-key-store.ts';
import { DynamoAccountEmailIndex } from '#adapters/dynamodb/dynamo-account-email-index.ts';
import { DynamoAccountStore } from '#adapters/dynamodb/dynamo-account-store.ts';
import { DynamoAlertRuleStore } from '#adapters/dynamodb/dynamo-alert-rule-store.ts';
import { DynamoAlertTestClaimStore } from '#adapters/dynamodb/dynamo-alert-test-claim-store.ts';
import { DynamoBillingStore } from '#adapters/dynamodb/dynamo-billing-store.ts';
import { DynamoBudgetLedger } from '#adapters/dynamodb/dynamo-budget-ledger.ts';
import { DynamoBudgetStore } from '#adapters/dynamodb/dynamo-budget-store.ts';
import { DynamoFxRateStore } from '#adapters/dynamodb/dynamo-fx-rate-store.ts';
import { DynamoMetrionKeyStore } from '#adapters/dynamodb/dynamo-metrion-key-store.ts';
import { DynamoProviderKeyStore } from '#adapters/dynamodb/dynamo-provider-key-store.ts';
import { DynamoProxyAdmission } from '#adapters/dynamodb/dynamo-proxy-admission.ts';
import { DynamoRollupStore } from '#adapters/dynamodb/dynamo-rollup-store.ts';
import { DynamoUsageLogReader } from '#adapters/dynamodb/dynamo-usage-log-reader.ts';
import { DynamoUsageStore } from '#adapters/dynamodb/dynamo-usage-store.ts';
import type { WebhookUrlPolicy } from '#adapters/http/url-policy.ts';
import { CryptoRandom } from '#adapters/system/crypto-random.ts';
import { SystemClock } from '#adapters/system/system-clock.ts';
import { type AccountService, createAccountService } from '#core/accounts/account-service.ts';
import { createAlertsService } from '#core/alerts/alerts-service.ts';
import { createAlertChannelsService } from '#core/alerts/channels/alert-channels-service.ts';
import {
  type BudgetsService,
  type BudgetsServiceDeps,
  createBudgetsService,
} from '#core/budgets/budgets-service.ts';
import { createDashboardService } from '#core/dashboard/dashboard-service.ts';
import { deriveLogCursorKey } from '#core/logs/log-cursor.ts';
import { createLogsService } from '#core/logs/logs-service.ts';
import type { WaitingClock } from '#core/ports/clock.ts';
import type { DataKeyProvider } from '#core/ports/data-key-provider.ts';
import type { Logger } from '#core/ports/logger.ts';
import type { Random } from '#core/ports/random.ts';
import { PROXY_PATH_PREFIX } from '#core/providers/routes.ts';
import { createSecretVault } from '#core/vault/secret-vault.ts';
import type { DashboardApiHandlerDeps } from '#handlers/dashboard-api.ts';
import { buildAlertDeliveryDeps } from './alert-delivery.deps.ts';
import type { AlertMailConfig } from './alert-mailer.ts';
import { buildBillingService, type StripeConfig } from './stripe-webhook.deps.ts';

/** The Cognito user pool whose ID tokens the dashboard API accepts. */
export interface CognitoPoolConfig {
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
  /** Token `iss`; the JWKS is read from `<issuer>/.well-known/jwks.json`. */
  readonly issuer: string;
  /** Cognito API endpoint for the browser; only set for cognito-local. @default - AWS's */
  readonly endpoint?: string | undefined;
}

/** Everything the dashboard API needs that differs between runtimes, already resolved. */
export interface DashboardApiRuntimeConfig {
  readonly documentClient: DynamoDBDocumentClient;
  readonly accountsTable: string;
  readonly usageTable: string;
  /** Daily FX reference rates (read for currency conversion). */
  readonly fxRatesTable: string;
  /** Server-side secret for Metrion Key digests (a regenerated key gets a new lookup item). */
  readonly pepper: Uint8Array;
  readonly dataKeyProvider: DataKeyProvider;
  readonly logger: Logger;
  readonly cognito: CognitoPoolConfig;
  /** How Test emails go out (SES). */
  readonly mail: AlertMailConfig;
  /** Which webhook URLs alert channels may use (AWS: https, public addresses only). */
  readonly webhookPolicy: WebhookUrlPolicy;
  /** The Dashboard's base URL, for links in alert emails. */
  readonly dashboardUrl: string;
  /** Stripe for Checkout and the billing portal (secret key; no webhook secret). */
  readonly stripe: StripeConfig;
  /** Tests pin time (dashboard ranges, expiry, the key-replacement lease). @default - the system clock */
  readonly clock?: WaitingClock;
}

/** The account use cases on the `accounts` table: shared by the dashboard API and the operator CLI. */
export function buildAccountService(
  config: Pick<
    DashboardApiRuntimeConfig,
    'documentClient' | 'accountsTable' | 'dataKeyProvider' | 'pepper'
  >,
  system: { readonly clock: WaitingClock; readonly random: Random },
): AccountService {
  const table = { client: config.documentClient, tableName: config.accountsTable };
  const { clock, random } = system;
  return createAccountService({
    accounts: new DynamoAccountStore(table),
    emails: new DynamoAccountEmailIndex(table),
    metrionKeys: new DynamoMetrionKeyStore({ ...table, clock }),
    providerKeys: new DynamoProviderKeyStore(table),
    vault: createSecretVault({
      dataKeyProvider: config.dataKeyProvider,
      accountDataKeys: new DynamoAccountDataKeyStore(table),
      random,
      clock,
    }),
    random,
    clock,
    pepper: config.pepper,
  });
}

/** The budget use cases on the `accounts` table (budgets and their ledger live there). */
function buildBudgetsService(
  config: Pick<DashboardApiRuntimeConfig, 'documentClient' | 'accountsTable'>,
  shared: Pick<BudgetsServiceDeps, 'accounts' | 'fxRates' | 'clock' | 'random'>,
): BudgetsService {
  const table = { client: config.documentClient, tableName: config.accountsTable };
  return createBudgetsService({
    ...shared,
    budgets: new DynamoBudgetStore(table),
    ledger: new DynamoBudgetLedger(table),
  });
}

/** What the browser needs to sign in and to show proxy URLs. */
function publicConfigOf(cognito: CognitoPoolConfig): DashboardApiHandlerDeps['publicConfig'] {
  return {
    cognito: {
      region: cognito.region,
      userPoolId: cognito.userPoolId,
      clientId: cognito.clientId,
      endpoint: cognito.endpoint,
    },
    proxyBasePath: PROXY_PATH_PREFIX,
  };
}

/** Builds the dashboard API's object graph. Shared by the Lambda root and the local root. */
export function buildDashboardApiDeps(config: DashboardApiRuntimeConfig): DashboardApiHandlerDeps {
  const clock = config.clock ?? new SystemClock();
  const random = new CryptoRandom();
  const { cognito } = config;
  const accountsTable = { client: config.documentClient, tableName: config.accountsTable };
  const accountStore = new DynamoAccountStore(accountsTable);
  const fxRates = new DynamoFxRateStore({
    client: config.documentClient,
    tableName: config.fxRatesTable,
  });
  const rollups = new DynamoRollupStore({
    client: config.documentClient,
    tableName: config.usageTable,
    clock,
  });
  const alertRules = new DynamoAlertRuleStore(accountsTable);
  const delivery = buildAlertDeliveryDeps(config, { clock, random });
  return {
    dashboard: createDashboardService({
      rollups,
      accounts: accountStore,
      fxRates,
      clock,
    }),
    accounts: buildAccountService(config, { clock, random }),
    logs: createLogsService({
      logs: new DynamoUsageLogReader({
        client: config.documentClient,
        tableName: config.usageTable,
        clock,
      }),
      rollups,
      accounts: accountStore,
      fxRates,
      clock,
      cursorKey: deriveLogCursorKey(config.pepper),
    }),
    budgets: buildBudgetsService(config, { accounts: accountStore, fxRates, clock, random }),
    alerts: createAlertsService({
      ...delivery,
      rules: alertRules,
      testClaims: new DynamoAlertTestClaimStore(accountsTable),
      accounts: accountStore,
      rollups,
      fxRates,
      dashboardUrl: config.dashboardUrl,
    }),
    alertChannels: createAlertChannelsService({
      ...delivery,
      rules: alertRules,
      accounts: accountStore,
      dashboardUrl: config.dashboardUrl,
    }),
    usage: new DynamoUsageStore({
      client: config.documentClient,
      tableName: config.usageTable,
      clock,
    }),
    billing: buildBillingService(config.stripe, {
      accounts: accountStore,
      metrionKeys: new DynamoMetrionKeyStore({ ...accountsTable, clock }),
      billingRecords: new DynamoBillingStore(accountsTable),
      requestCounts: new DynamoProxyAdmission(accountsTable),
      clock,
    }),
    tokens: new CognitoTokenVerifier({ issuer: cognito.issuer, clientId: cognito.clientId }),
    publicConfig: publicConfigOf(cognito),
    clock,
    logger: config.logger,
  };
}
