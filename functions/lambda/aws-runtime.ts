// Cold-start wiring of every AWS Lambda: one `aws<Name>Config()` per function reads its
// environment once (region, tables, KMS key, the Metrion Key pepper from Secrets Manager) and
// returns the runtime config its `build<Name>Deps` takes, so every entry file is one line.
import { KMSClient } from '@aws-sdk/client-kms';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { cognitoIssuer } from '#adapters/cognito/cognito-issuer.ts';
import { createDocumentClient } from '#adapters/dynamodb/document-client.ts';
import { AWS_WEBHOOK_POLICY } from '#adapters/http/url-policy.ts';
import { KmsDataKeyProvider } from '#adapters/kms/kms-data-key-provider.ts';
import { JsonLogger } from '#adapters/system/json-logger.ts';
import type { DataKeyProvider } from '#core/ports/data-key-provider.ts';
import type { AggregateUsageRuntimeConfig } from './aggregate-usage.deps.ts';
import type { AlertDeliveryConfig } from './alert-delivery.deps.ts';
import type { AlertsRuntimeConfig } from './alerts.deps.ts';
import type { BudgetSweepRuntimeConfig } from './budget-sweep.deps.ts';
import type { DashboardApiRuntimeConfig } from './dashboard-api.deps.ts';
import {
  awsRegion,
  parseUpstreamOriginOverrides,
  readLambdaEnv,
  readOptionalLambdaEnv,
} from './env.ts';
import type { FxRatesRuntimeConfig } from './fx-rates.deps.ts';
import type { LogsExportRuntimeConfig } from './logs-export.deps.ts';
import type { MigrateSecretsRuntimeConfig } from './migrate-secrets.deps.ts';
import type { PriceRefreshRuntimeConfig } from './price-refresh.deps.ts';
import type { ProxyRuntimeConfig } from './proxy.deps.ts';
import type { RepriceRuntimeConfig } from './reprice.deps.ts';
import type { SealRollupsRuntimeConfig } from './seal-rollups.deps.ts';
import type { StripeConfig, StripeWebhookRuntimeConfig } from './stripe-webhook.deps.ts';
import type { SweepTracesRuntimeConfig } from './sweep-traces.deps.ts';

/** The function's JSON logger; its lines carry the operational metrics as EMF. */
function lambdaLogger(service: string): JsonLogger {
  return new JsonLogger({ service, metricsNamespace: readOptionalLambdaEnv('metricsNamespace') });
}

/** What every function that reads accounts or opens sealed secrets needs. */
export interface AwsDataAccess {
  readonly region: string;
  readonly documentClient: DynamoDBDocumentClient;
  readonly accountsTable: string;
  readonly usageTable: string;
  readonly dataKeyProvider: DataKeyProvider;
  /** Server-side secret for Metrion Key digests. */
  readonly pepper: Uint8Array;
}

/** One secret's string (at cold start only; the value is never logged). */
async function readSecret(region: string, secretId: string, what: string): Promise<string> {
  const secret = await new SecretsManagerClient({ region }).send(
    new GetSecretValueCommand({ SecretId: secretId }),
  );
  if (!secret.SecretString) throw new Error(`The ${what} secret is empty`);
  return secret.SecretString;
}

type StripeSecret = 'stripeSecretKeySecretArn' | 'stripeWebhookSecretArn';

/** Stripe settings: the price and dashboard URL, plus the secrets `secrets` names. */
async function readStripeConfig(
  region: string,
  secrets: readonly StripeSecret[],
): Promise<StripeConfig> {
  const env = readLambdaEnv(['stripeProPriceId', 'proMonthlyPriceUsd', 'dashboardUrl', ...secrets]);
  const read = (secret: StripeSecret) =>
    secrets.includes(secret) ? readSecret(region, env[secret], 'Stripe') : undefined;
  const [secretKey, webhookSecret] = await Promise.all([
    read('stripeSecretKeySecretArn'),
    read('stripeWebhookSecretArn'),
  ]);
  return {
    proPriceId: env.stripeProPriceId,
    proMonthlyPriceUsd: env.proMonthlyPriceUsd,
    dashboardUrl: env.dashboardUrl,
    secretKey,
    webhookSecret,
  };
}

/** Reads the table, key and pepper variables and fetches the pepper (once, at cold start). */
export async function openAwsDataAccess(): Promise<AwsDataAccess> {
  const env = readLambdaEnv([
    'accountsTable',
    'usageTable',
    'providerKeysKmsKeyArn',
    'metrionKeyPepperSecretArn',
  ]);
  const region = awsRegion();
  const secret = await new SecretsManagerClient({ region }).send(
    new GetSecretValueCommand({ SecretId: env.metrionKeyPepperSecretArn }),
  );
  if (!secret.SecretString) throw new Error('The Metrion Key pepper secret is empty');
  return {
    region,
    documentClient: createDocumentClient({ region }),
    accountsTable: env.accountsTable,
    usageTable: env.usageTable,
    dataKeyProvider: new KmsDataKeyProvider({
      client: new KMSClient({ region }),
      keyId: env.providerKeysKmsKeyArn,
    }),
    pepper: new TextEncoder().encode(secret.SecretString),
  };
}

/** The proxy Lambda's runtime config. */
export async function awsProxyConfig(): Promise<ProxyRuntimeConfig> {
  const tables = readLambdaEnv(['responseCacheTable', 'pricesTable']);
  const { region: _region, ...data } = await openAwsDataAccess();
  return {
    ...data,
    ...tables,
    upstreamOrigins: parseUpstreamOriginOverrides(readOptionalLambdaEnv('upstreamOrigins')),
    corsAllowedOrigins: (readOptionalLambdaEnv('corsAllowedOrigins') ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ''),
    logger: lambdaLogger('proxy'),
  };
}

/** The dashboard API Lambda's runtime config: data access plus the Cognito user pool it trusts. */
export async function awsDashboardApiConfig(): Promise<DashboardApiRuntimeConfig> {
  const cognito = readLambdaEnv([
    'cognitoUserPoolId',
    'cognitoClientId',
    'fxRatesTable',
    'alertsSender',
    'dashboardUrl',
  ]);
  const { region, ...data } = await openAwsDataAccess();
  return {
    ...data,
    stripe: await readStripeConfig(region, ['stripeSecretKeySecretArn']),
    fxRatesTable: cognito.fxRatesTable,
    mail: { region, sender: cognito.alertsSender },
    webhookPolicy: AWS_WEBHOOK_POLICY,
    dashboardUrl: cognito.dashboardUrl,
    logger: lambdaLogger('dashboard-api'),
    cognito: {
      region,
      userPoolId: cognito.cognitoUserPoolId,
      clientId: cognito.cognitoClientId,
      issuer: cognitoIssuer(region, cognito.cognitoUserPoolId),
    },
  };
}

/**
 * The CSV export's runtime config: usage, the account's currency, FX rates and the user pool.
 * No KMS, no pepper (the token's `sub` is the account id), so its bundle and role stay small.
 */
export async function awsLogsExportConfig(): Promise<LogsExportRuntimeConfig> {
  const env = readLambdaEnv([
    'usageTable',
    'accountsTable',
    'fxRatesTable',
    'cognitoUserPoolId',
    'cognitoClientId',
  ]);
  const region = awsRegion();
  return {
    documentClient: createDocumentClient({ region }),
    usageTable: env.usageTable,
    accountsTable: env.accountsTable,
    fxRatesTable: env.fxRatesTable,
    logger: lambdaLogger('logs-export'),
    cognito: {
      issuer: cognitoIssuer(region, env.cognitoUserPoolId),
      clientId: env.cognitoClientId,
    },
  };
}

/** The daily FX job's runtime config. */
export async function awsFxRatesConfig(): Promise<FxRatesRuntimeConfig> {
  const env = readLambdaEnv(['fxRatesTable']);
  return {
    documentClient: createDocumentClient({ region: awsRegion() }),
    fxRatesTable: env.fxRatesTable,
    fxRatesUrl: readOptionalLambdaEnv('fxRatesUrl'),
    logger: lambdaLogger('fx-rates'),
  };
}

/** The daily price refresh's runtime config. */
export async function awsPriceRefreshConfig(): Promise<PriceRefreshRuntimeConfig> {
  const env = readLambdaEnv(['pricesTable']);
  return {
    documentClient: createDocumentClient({ region: awsRegion() }),
    pricesTable: env.pricesTable,
    pricesUrl: readOptionalLambdaEnv('pricesUrl'),
    logger: lambdaLogger('price-refresh'),
  };
}

/** The seal job's runtime config. */
export async function awsSealRollupsConfig(): Promise<SealRollupsRuntimeConfig> {
  const env = readLambdaEnv(['usageTable']);
  return {
    documentClient: createDocumentClient({ region: awsRegion() }),
    usageTable: env.usageTable,
    logger: lambdaLogger('seal-rollups'),
  };
}

/** The usage aggregator's runtime config (the usage table only, like the seal job). */
export async function awsAggregateUsageConfig(): Promise<AggregateUsageRuntimeConfig> {
  const env = readLambdaEnv(['usageTable', 'accountsTable']);
  return {
    documentClient: createDocumentClient({ region: awsRegion() }),
    usageTable: env.usageTable,
    accountsTable: env.accountsTable,
    logger: lambdaLogger('aggregate-usage'),
  };
}

/** The trace sweeper's runtime config (the usage table only, like the seal job). */
export async function awsSweepTracesConfig(): Promise<SweepTracesRuntimeConfig> {
  const env = readLambdaEnv(['usageTable']);
  return {
    documentClient: createDocumentClient({ region: awsRegion() }),
    usageTable: env.usageTable,
    logger: lambdaLogger('sweep-traces'),
  };
}

/** The re-pricing job's runtime config (the usage table, and the price versions it reads). */
export async function awsRepriceConfig(): Promise<RepriceRuntimeConfig> {
  const env = readLambdaEnv(['usageTable', 'pricesTable']);
  return {
    documentClient: createDocumentClient({ region: awsRegion() }),
    usageTable: env.usageTable,
    pricesTable: env.pricesTable,
    logger: lambdaLogger('reprice'),
  };
}

/** The alert evaluator's runtime config: tables, the SES sender and the Dashboard URL. */
export async function awsAlertsConfig(): Promise<AlertsRuntimeConfig> {
  const env = readLambdaEnv([
    'accountsTable',
    'usageTable',
    'fxRatesTable',
    'alertsSender',
    'dashboardUrl',
    'providerKeysKmsKeyArn',
  ]);
  const region = awsRegion();
  return {
    documentClient: createDocumentClient({ region }),
    accountsTable: env.accountsTable,
    usageTable: env.usageTable,
    fxRatesTable: env.fxRatesTable,
    mail: { region, sender: env.alertsSender },
    dashboardUrl: env.dashboardUrl,
    dataKeyProvider: new KmsDataKeyProvider({
      client: new KMSClient({ region }),
      keyId: env.providerKeysKmsKeyArn,
    }),
    webhookPolicy: AWS_WEBHOOK_POLICY,
    logger: lambdaLogger('alerts'),
  };
}

/** The budget sweep's runtime config: the accounts and FX tables, the SES sender, the Dashboard URL. */
export async function awsBudgetSweepConfig(): Promise<BudgetSweepRuntimeConfig> {
  const env = readLambdaEnv(['accountsTable', 'fxRatesTable', 'alertsSender', 'dashboardUrl']);
  const region = awsRegion();
  return {
    documentClient: createDocumentClient({ region }),
    accountsTable: env.accountsTable,
    fxRatesTable: env.fxRatesTable,
    mail: { region, sender: env.alertsSender },
    dashboardUrl: env.dashboardUrl,
    logger: lambdaLogger('budget-sweep'),
  };
}

/** The alert delivery retry run's config: channels, deliveries, SES, KMS for channel secrets. */
export async function awsAlertDeliveryConfig(): Promise<AlertDeliveryConfig> {
  const env = readLambdaEnv(['accountsTable', 'alertsSender', 'providerKeysKmsKeyArn']);
  const region = awsRegion();
  return {
    documentClient: createDocumentClient({ region }),
    accountsTable: env.accountsTable,
    mail: { region, sender: env.alertsSender },
    dataKeyProvider: new KmsDataKeyProvider({
      client: new KMSClient({ region }),
      keyId: env.providerKeysKmsKeyArn,
    }),
    webhookPolicy: AWS_WEBHOOK_POLICY,
    logger: new JsonLogger({ service: 'alert-deliveries' }),
  };
}

/** The secret migrator's runtime config: the accounts table and the KMS key, no pepper. */
export async function awsMigrateSecretsConfig(): Promise<MigrateSecretsRuntimeConfig> {
  const env = readLambdaEnv(['accountsTable', 'providerKeysKmsKeyArn']);
  const region = awsRegion();
  return {
    documentClient: createDocumentClient({ region }),
    accountsTable: env.accountsTable,
    dataKeyProvider: new KmsDataKeyProvider({
      client: new KMSClient({ region }),
      keyId: env.providerKeysKmsKeyArn,
    }),
  };
}

/** The Stripe webhook's runtime config: the accounts table, the signing secret and the API key. */
export async function awsStripeWebhookConfig(): Promise<StripeWebhookRuntimeConfig> {
  const env = readLambdaEnv(['accountsTable']);
  const region = awsRegion();
  return {
    documentClient: createDocumentClient({ region }),
    accountsTable: env.accountsTable,
    // The API key too: a second subscription is canceled and refunded from the webhook.
    stripe: await readStripeConfig(region, ['stripeSecretKeySecretArn', 'stripeWebhookSecretArn']),
    logger: lambdaLogger('stripe-webhook'),
  };
}
