// Cold-start wiring every AWS Lambda shares: region, DynamoDB, KMS data keys, the Metrion Key
// pepper from Secrets Manager, and each function's runtime config read from its environment.
import { KMSClient } from '@aws-sdk/client-kms';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { cognitoIssuer } from '#adapters/cognito/cognito-token-verifier.ts';
import { createDocumentClient } from '#adapters/dynamodb/document-client.ts';
import { KmsDataKeyProvider } from '#adapters/kms/kms-data-key-provider.ts';
import { JsonLogger } from '#adapters/system/json-logger.ts';
import type { DataKeyProvider } from '#core/ports/data-key-provider.ts';
import { awsRegion, readLambdaEnv, readOptionalLambdaEnv, resolveUpstreamOrigins } from './env.ts';
import type { ProxyRuntimeConfig } from './proxy.deps.ts';
import type { SettingsRuntimeConfig } from './settings.deps.ts';

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
  const { region: _region, ...data } = await openAwsDataAccess();
  return {
    ...data,
    upstreamOrigins: resolveUpstreamOrigins(readOptionalLambdaEnv('upstreamOrigins')),
    corsAllowedOrigins: (readOptionalLambdaEnv('corsAllowedOrigins') ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ''),
    logger: new JsonLogger({ service: 'proxy' }),
  };
}

/** The settings Lambda's runtime config: data access plus the Cognito user pool it trusts. */
export async function awsSettingsConfig(): Promise<SettingsRuntimeConfig> {
  const cognito = readLambdaEnv(['cognitoUserPoolId', 'cognitoClientId', 'fxRatesTable']);
  const { region, ...data } = await openAwsDataAccess();
  return {
    ...data,
    fxRatesTable: cognito.fxRatesTable,
    logger: new JsonLogger({ service: 'settings' }),
    cognito: {
      region,
      userPoolId: cognito.cognitoUserPoolId,
      clientId: cognito.cognitoClientId,
      issuer: cognitoIssuer(region, cognito.cognitoUserPoolId),
    },
  };
}
