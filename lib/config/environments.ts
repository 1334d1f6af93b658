import type { EnvironmentConfig } from './environment-config.ts';

/**
 * The only per-environment values. Account ids, Stripe price ids and dashboard URLs are
 * placeholders until the AWS accounts, Stripe products and domains exist; replace them here (and
 * nowhere else) before the first deploy.
 */
export const ENVIRONMENTS = {
  dev: {
    envName: 'dev',
    account: '111111111111',
    region: 'eu-central-1',
    retainData: false,
    corsAllowedOrigins: ['http://localhost:4321'],
    logRetentionDays: 14,
    dashboardUrl: 'https://dev.metrion.example',
    alerts: { sender: 'alerts@dev.metrion.example' },
    billing: { stripeProPriceId: 'price_metrion_pro_dev_placeholder', proMonthlyPriceUsd: '29.00' },
  },
  prod: {
    envName: 'prod',
    account: '222222222222',
    region: 'eu-central-1',
    retainData: true,
    corsAllowedOrigins: [],
    logRetentionDays: 90,
    dashboardUrl: 'https://app.metrion.example',
    alerts: { sender: 'alerts@metrion.example' },
    billing: {
      stripeProPriceId: 'price_metrion_pro_prod_placeholder',
      proMonthlyPriceUsd: '29.00',
    },
  },
} satisfies Record<string, EnvironmentConfig>;

export type EnvName = keyof typeof ENVIRONMENTS;

export const ENV_NAMES = Object.keys(ENVIRONMENTS) as EnvName[];

export function isEnvName(value: unknown): value is EnvName {
  return typeof value === 'string' && Object.hasOwn(ENVIRONMENTS, value);
}
