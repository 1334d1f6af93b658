// `npm start`: the whole product locally on embedded stand-ins (no AWS account, no Docker).
import '#local/awslambda-shim.ts';
import { existsSync } from 'node:fs';
import { readLocalConfig } from '#local/local-config.ts';
import { startLocalMetrion } from '#local/local-metrion.ts';

const config = readLocalConfig();
const hasDashboard = existsSync(config.staticDir);
const metrion = await startLocalMetrion({
  port: config.port,
  dataDir: config.dataDir,
  upstreamOrigins: config.upstreamOrigins,
  ...(config.fxRatesUrl === undefined ? {} : { fxRatesUrl: config.fxRatesUrl }),
  cognitoPort: config.cognitoPort,
  sesPort: config.sesPort,
  alertsIntervalMs: config.alertsIntervalS * 1000,
  billing: config.billing,
  ...(config.proMonthlyPriceUsd === undefined
    ? {}
    : { proMonthlyPriceUsd: config.proMonthlyPriceUsd }),
  // The seal, fx-rates and alerts jobs on timers, as EventBridge runs them in AWS.
  scheduleJobs: true,
  ...(hasDashboard ? { staticDir: config.staticDir } : {}),
});

const lines = [
  '',
  `Metrion is running locally at ${metrion.url}  (data in ${config.dataDir})`,
  '',
  hasDashboard
    ? `Dashboard: ${metrion.url}/  (sign up with any email and password; no confirmation e-mail)`
    : `Dashboard: not built (${config.staticDir} is missing). Build the frontend, then restart.`,
  `Dashboard API: ${metrion.url}/api  (sign-in config at ${metrion.url}/api/config)`,
  `Cognito (cognito-local): ${metrion.cognito.endpoint}  pool ${metrion.cognito.userPoolId}, client ${metrion.cognito.clientId}`,
  metrion.stripeStandIn
    ? `Stripe (local stand-in): ${metrion.stripeStandIn.url}  (Checkout and portal pages; webhooks to ${metrion.url}/api/stripe/webhook)`
    : `Stripe: test mode with STRIPE_SECRET_KEY; forward webhooks with  stripe listen --forward-to ${metrion.url}/api/stripe/webhook`,
  `Alert emails (aws-ses-v2-local): ${metrion.sesEndpoint}  (inbox in the browser; evaluator every ${config.alertsIntervalS} s)`,
  '',
  'Proxy base URLs for your SDK:',
  ...Object.entries(metrion.proxyBaseUrls).map(
    ([provider, url]) => `  ${provider.padEnd(10)} ${url}`,
  ),
  '',
  'Without the dashboard, create an account and get its Metrion Key:',
  '  npm run admin -- create-account --email you@example.com',
  'Store a provider key for stored mode:',
  '  npm run admin -- set-provider-key --account <id> --provider openai --key -   (reads the key from stdin)',
  'See recorded usage:',
  '  npm run admin -- usage --account <id>',
  '',
];
console.log(lines.join('\n'));

const stop = async () => {
  await metrion.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
