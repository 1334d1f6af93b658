import { createDocumentClient } from '#adapters/dynamodb/document-client.ts';
import { JsonLogger } from '#adapters/system/json-logger.ts';
import { createFxRatesHandler } from '#handlers/fx-rates.ts';
import { awsRegion, readLambdaEnv, readOptionalLambdaEnv } from './env.ts';
import { buildFxRatesDeps } from './jobs.deps.ts';

const env = readLambdaEnv(['fxRatesTable']);
const url = readOptionalLambdaEnv('fxRatesUrl');
export const handler = createFxRatesHandler(
  buildFxRatesDeps({
    documentClient: createDocumentClient({ region: awsRegion() }),
    fxRatesTable: env.fxRatesTable,
    ...(url === undefined ? {} : { fxRatesUrl: url }),
    logger: new JsonLogger({ service: 'fx-rates' }),
  }),
);
