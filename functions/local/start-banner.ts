import type { LocalConfig } from './local-config.ts';
import type { LocalMetrion } from './local-metrion.ts';

/** What `npm start` prints once everything listens: where each part is, and the next steps. */
export function startBanner(
  metrion: LocalMetrion,
  config: Pick<LocalConfig, 'dataDir' | 'staticDir' | 'alertsIntervalS'>,
  hasDashboard: boolean,
): string {
  const { url, cognito, stripeStandIn } = metrion;
  return [
    '',
    `Metrion is running locally at ${url}  (data in ${config.dataDir})`,
    '',
    hasDashboard
      ? `Dashboard: ${url}/  (sign up with any email and password; no confirmation e-mail)`
      : `Dashboard: not built (${config.staticDir} is missing). Build the frontend, then restart.`,
    `Dashboard API: ${url}/api  (sign-in config at ${url}/api/config)`,
    `Cognito (cognito-local): ${cognito.endpoint}  pool ${cognito.userPoolId}, client ${cognito.clientId}`,
    stripeStandIn
      ? `Stripe (local stand-in): ${stripeStandIn.url}  (Checkout and portal pages; webhooks to ${url}/api/stripe/webhook)`
      : `Stripe: test mode with STRIPE_SECRET_KEY; forward webhooks with  stripe listen --forward-to ${url}/api/stripe/webhook`,
    `Alert emails (aws-ses-v2-local): ${metrion.sesEndpoint}  (inbox in the browser; evaluator every ${config.alertsIntervalS} s)`,
    '',
    'Proxy base URLs for your SDK:',
    ...Object.entries(metrion.proxyBaseUrls).map(
      ([provider, baseUrl]) => `  ${provider.padEnd(10)} ${baseUrl}`,
    ),
    '',
    'In another terminal, without the dashboard: create an account and get its Metrion Key,',
    '  npm run admin -- create-account --email you@example.com',
    'store a provider key for stored mode (read from stdin),',
    '  echo "$OPENAI_API_KEY" | npm run admin -- set-provider-key --email you@example.com --provider openai --key -',
    'and see recorded usage:',
    '  npm run admin -- usage --email you@example.com',
    '',
  ].join('\n');
}
