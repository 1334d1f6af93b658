import { createRepriceHandler } from '#handlers/reprice.ts';
import { awsRepriceConfig } from './aws-runtime.ts';
import { buildRepriceDeps } from './reprice.deps.ts';

export const handler = createRepriceHandler(buildRepriceDeps(await awsRepriceConfig()));
