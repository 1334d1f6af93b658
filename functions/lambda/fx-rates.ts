import { createFxRatesHandler } from '#handlers/fx-rates.ts';
import { awsFxRatesConfig } from './aws-runtime.ts';
import { buildFxRatesDeps } from './fx-rates.deps.ts';

export const handler = createFxRatesHandler(buildFxRatesDeps(await awsFxRatesConfig()));
