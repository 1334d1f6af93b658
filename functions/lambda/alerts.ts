import { createAlertsHandler } from '#handlers/alerts.ts';
import { buildAlertsDeps } from './alerts.deps.ts';
import { awsAlertsConfig } from './aws-runtime.ts';

export const handler = createAlertsHandler(buildAlertsDeps(await awsAlertsConfig()));
