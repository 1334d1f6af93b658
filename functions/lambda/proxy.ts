import { KMSClient } from '@aws-sdk/client-kms';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createDocumentClient } from '#adapters/dynamodb/document-client.ts';
import { KmsDataKeyProvider } from '#adapters/kms/kms-data-key-provider.ts';
import { JsonLogger } from '#adapters/system/json-logger.ts';
import { createProxyHandler } from '#handlers/proxy.ts';
import { awsRegion, readLambdaEnv, readOptionalLambdaEnv, resolveUpstreamOrigins } from './env.ts';
import { buildProxyDeps } from './proxy.deps.ts';

const env = readLambdaEnv([
  'accountsTable',
  'usageTable',
  'countersTable',
  'responseCacheTable',
  'providerKeysKmsKeyArn',
  'metrionKeyPepperSecretArn',
]);
const region = awsRegion();
const pepperSecret = await new SecretsManagerClient({ region }).send(
  new GetSecretValueCommand({ SecretId: env.metrionKeyPepperSecretArn }),
);

function requireSecret(value: string | undefined): string {
  if (!value) throw new Error('The Metrion Key pepper secret is empty');
  return value;
}

export const handler = createProxyHandler(
  buildProxyDeps({
    documentClient: createDocumentClient({ region }),
    accountsTable: env.accountsTable,
    usageTable: env.usageTable,
    countersTable: env.countersTable,
    responseCacheTable: env.responseCacheTable,
    upstreamOrigins: resolveUpstreamOrigins(readOptionalLambdaEnv('upstreamOrigins')),
    pepper: new TextEncoder().encode(requireSecret(pepperSecret.SecretString)),
    dataKeyProvider: new KmsDataKeyProvider({
      client: new KMSClient({ region }),
      keyId: env.providerKeysKmsKeyArn,
    }),
    logger: new JsonLogger({ service: 'proxy' }),
  }),
);
