import { createDashboardApiHandler } from '#handlers/dashboard-api.ts';
import { awsDashboardApiConfig } from './aws-runtime.ts';
import { buildDashboardApiDeps } from './dashboard-api.deps.ts';

export const handler = createDashboardApiHandler(
  buildDashboardApiDeps(await awsDashboardApiConfig()),
);
