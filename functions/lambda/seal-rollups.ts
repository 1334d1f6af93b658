import { createDocumentClient } from '#adapters/dynamodb/document-client.ts';
import { JsonLogger } from '#adapters/system/json-logger.ts';
import { createSealRollupsHandler } from '#handlers/seal-rollups.ts';
import { awsRegion, readLambdaEnv } from './env.ts';
import { buildSealRollupsDeps } from './jobs.deps.ts';

const env = readLambdaEnv(['usageTable']);
export const handler = createSealRollupsHandler(
  buildSealRollupsDeps({
    documentClient: createDocumentClient({ region: awsRegion() }),
    usageTable: env.usageTable,
    logger: new JsonLogger({ service: 'seal-rollups' }),
  }),
);
