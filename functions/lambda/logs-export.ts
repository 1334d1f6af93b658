import { cognitoIssuer } from '#adapters/cognito/cognito-token-verifier.ts';
import { createDocumentClient } from '#adapters/dynamodb/document-client.ts';
import { JsonLogger } from '#adapters/system/json-logger.ts';
import { createLogsExportHandler } from '#handlers/logs-export.ts';
import { awsRegion, readLambdaEnv } from './env.ts';
import { buildLogsExportDeps } from './logs-export.deps.ts';

// Only the usage table and the user pool: no KMS, no pepper, no accounts (the token's `sub`
// is the account id), so this bundle and role stay small.
const env = readLambdaEnv(['usageTable', 'cognitoUserPoolId', 'cognitoClientId']);
const region = awsRegion();
export const handler = createLogsExportHandler(
  buildLogsExportDeps({
    documentClient: createDocumentClient({ region }),
    usageTable: env.usageTable,
    logger: new JsonLogger({ service: 'logs-export' }),
    cognito: {
      issuer: cognitoIssuer(region, env.cognitoUserPoolId),
      clientId: env.cognitoClientId,
    },
  }),
);
