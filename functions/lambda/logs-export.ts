import { cognitoIssuer } from '#adapters/cognito/cognito-token-verifier.ts';
import { createDocumentClient } from '#adapters/dynamodb/document-client.ts';
import { JsonLogger } from '#adapters/system/json-logger.ts';
import { createLogsExportHandler } from '#handlers/logs-export.ts';
import { awsRegion, readLambdaEnv } from './env.ts';
import { buildLogsExportDeps } from './logs-export.deps.ts';

// Usage, the account's currency, FX rates and the user pool: no KMS, no pepper (the token's
// `sub` is the account id), so this bundle and role stay small.
const env = readLambdaEnv([
  'usageTable',
  'accountsTable',
  'fxRatesTable',
  'cognitoUserPoolId',
  'cognitoClientId',
]);
const region = awsRegion();
export const handler = createLogsExportHandler(
  buildLogsExportDeps({
    documentClient: createDocumentClient({ region }),
    usageTable: env.usageTable,
    accountsTable: env.accountsTable,
    fxRatesTable: env.fxRatesTable,
    logger: new JsonLogger({ service: 'logs-export' }),
    cognito: {
      issuer: cognitoIssuer(region, env.cognitoUserPoolId),
      clientId: env.cognitoClientId,
    },
  }),
);
