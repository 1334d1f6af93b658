import type { EnvironmentConfig } from './environment-config.ts';

/**
 * Concurrency and rate limits for an account whose Lambda quota was raised to 1,000 (the usual
 * first step, README "Deploy"; the arithmetic is in docs/cost.md): the proxy may hold 800
 * streams at once, the aggregator and webhook keep theirs, and 170 stay for the dashboard API,
 * the export and the jobs.
 */
const CAPACITY_AT_1000 = {
  lambdaConcurrencyQuota: 1000,
  proxyConcurrency: 800,
  usageAggregatorConcurrency: 10,
  stripeWebhookConcurrency: 20,
  proxyRequestsPerSecond: 500,
  requestsPerIpPer5Minutes: 3000,
} as const;

/**
 * The only per-environment values. Values that synthesize but must never reach production are
 * marked placeholders (a repeated-digit account, `.example` domains, `…placeholder` ids):
 * `cdk synth -c env=prod` refuses them with one line naming each field, and dev prints them as a
 * warning. Replace them here (and nowhere else) before the first deploy.
 */
export const ENVIRONMENTS = {
  dev: {
    envName: 'dev',
    production: false,
    account: '111111111111',
    region: 'eu-central-1',
    retainData: false,
    corsAllowedOrigins: ['http://localhost:4321'],
    logRetentionDays: 14,
    // No dashboardDomain: dev uses the CloudFront URL.
    email: { sender: 'notifications@dev.metrion.example' },
    billing: { stripeProPriceId: 'price_metrion_pro_dev_placeholder', proMonthlyPriceUsd: '29.00' },
    capacity: CAPACITY_AT_1000,
  },
  prod: {
    envName: 'prod',
    production: true,
    account: '222222222222',
    region: 'eu-central-1',
    retainData: true,
    corsAllowedOrigins: [],
    logRetentionDays: 90,
    dashboardDomain: 'app.metrion.example',
    email: { sender: 'notifications@metrion.example' },
    billing: {
      stripeProPriceId: 'price_metrion_pro_prod_placeholder',
      proMonthlyPriceUsd: '29.00',
    },
    // alarmEmail: 'oncall@<your domain>',  required in production
    capacity: CAPACITY_AT_1000,
  },
} satisfies Record<string, EnvironmentConfig>;

export type EnvName = keyof typeof ENVIRONMENTS;

export const ENV_NAMES = Object.keys(ENVIRONMENTS) as EnvName[];

export function isEnvName(value: unknown): value is EnvName {
  return typeof value === 'string' && Object.hasOwn(ENVIRONMENTS, value);
}
