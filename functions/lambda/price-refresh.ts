import { createPriceRefreshHandler } from '#handlers/price-refresh.ts';
import { awsPriceRefreshConfig } from './aws-runtime.ts';
import { buildPriceRefreshDeps } from './price-refresh.deps.ts';

export const handler = createPriceRefreshHandler(
  buildPriceRefreshDeps(await awsPriceRefreshConfig()),
);
