import { createAggregateUsageHandler } from '#handlers/aggregate-usage.ts';
import { buildAggregateUsageDeps } from './aggregate-usage.deps.ts';
import { awsAggregateUsageConfig } from './aws-runtime.ts';

export const handler = createAggregateUsageHandler(
  buildAggregateUsageDeps(await awsAggregateUsageConfig()),
);
