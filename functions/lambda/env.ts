import { isProviderId, type ProviderId } from '#core/providers/provider-registry.ts';
import type { UpstreamOriginOverrides } from '#core/proxy/upstream-request.ts';

/**
 * The only place Lambda code reads process.env. CDK (lib/) imports the names from here when it
 * sets a function's environment, so names cannot drift.
 */
export const LAMBDA_ENV = {
  accountsTable: 'ACCOUNTS_TABLE_NAME',
  usageTable: 'USAGE_TABLE_NAME',
  responseCacheTable: 'RESPONSE_CACHE_TABLE_NAME',
  fxRatesTable: 'FX_RATES_TABLE_NAME',
  /** ECB daily reference rate XML (tests point it at a fake). */
  fxRatesUrl: 'FX_RATES_URL',
  pricesTable: 'PRICES_TABLE_NAME',
  /** The maintained genai-prices data the daily price refresh fetches (tests point it at a fake). */
  pricesUrl: 'PRICES_URL',
  providerKeysKmsKeyArn: 'PROVIDER_KEYS_KMS_KEY_ARN',
  metrionKeyPepperSecretArn: 'METRION_KEY_PEPPER_SECRET_ARN',
  cognitoUserPoolId: 'COGNITO_USER_POOL_ID',
  cognitoClientId: 'COGNITO_CLIENT_ID',
  upstreamOrigins: 'UPSTREAM_ORIGINS',
  corsAllowedOrigins: 'CORS_ALLOWED_ORIGINS',
  /** Secrets Manager ARN of the Stripe secret API key (`sk_…`). */
  stripeSecretKeySecretArn: 'STRIPE_SECRET_KEY_SECRET_ARN',
  /** Secrets Manager ARN of the webhook endpoint's signing secret (`whsec_…`). */
  stripeWebhookSecretArn: 'STRIPE_WEBHOOK_SECRET_ARN',
  stripeProPriceId: 'STRIPE_PRO_PRICE_ID',
  /** What the Pro price charges per month in USD (`29.00`), shown on the Plan page. */
  proMonthlyPriceUsd: 'PRO_MONTHLY_PRICE_USD',
  logLevel: 'LOG_LEVEL',
  /** CloudWatch namespace of the operational metrics in the JSON logs (`Metrion-<env>`). */
  metricsNamespace: 'METRICS_NAMESPACE',
  /** The SES identity alert emails are sent from. */
  alertsSender: 'ALERTS_SENDER',
  /**
   * The Dashboard's base URL: links in alert emails; Checkout and the billing portal return to
   * its Plan page.
   */
  dashboardUrl: 'DASHBOARD_URL',
} as const;

export type LambdaEnvName = keyof typeof LAMBDA_ENV;

/**
 * `UPSTREAM_ORIGINS` (JSON provider -> origin, set by CDK), parsed once at cold start. Checked by
 * hand rather than with zod: `import 'zod'` costs every bundle 70-450 KB, and CDK validated the
 * same rule at synth (`lib/config/environment-config.ts`: known providers, http(s) origins).
 */
export function parseUpstreamOriginOverrides(json: string | undefined): UpstreamOriginOverrides {
  if (!json) return {};
  const parsed: unknown = JSON.parse(json);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${LAMBDA_ENV.upstreamOrigins} must be a JSON object`);
  }
  const origins: Partial<Record<ProviderId, string>> = {};
  for (const [provider, origin] of Object.entries(parsed)) {
    if (!isProviderId(provider)) {
      throw new Error(`${LAMBDA_ENV.upstreamOrigins} names an unknown provider: ${provider}`);
    }
    if (!isHttpOrigin(origin)) {
      throw new Error(`${LAMBDA_ENV.upstreamOrigins}.${provider} must be an http(s) origin`);
    }
    origins[provider] = origin;
  }
  return origins;
}

/** `scheme://host[:port]` with nothing after it, as CDK's config schema requires. */
function isHttpOrigin(value: unknown): value is string {
  if (typeof value !== 'string' || !URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
}

/**
 * Reads the named variables once at cold start; fails fast naming the first missing one.
 */
export function readLambdaEnv<K extends LambdaEnvName>(
  keys: readonly K[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): Record<K, string> {
  const values = {} as Record<K, string>;
  for (const key of keys) {
    const value = env[LAMBDA_ENV[key]];
    if (!value) throw new Error(`Missing environment variable ${LAMBDA_ENV[key]}`);
    values[key] = value;
  }
  return values;
}

/** An optional variable. */
export function readOptionalLambdaEnv(
  key: LambdaEnvName,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | undefined {
  return env[LAMBDA_ENV[key]] || undefined;
}

/** The region Lambda runs in (set by the runtime). */
export function awsRegion(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const region = env.AWS_REGION;
  if (!region) throw new Error('Missing environment variable AWS_REGION');
  return region;
}

/** AWS credentials as the SDK's credential providers return them. */
export interface AwsEnvCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
  readonly credentialScope?: string;
  readonly accountId?: string;
}

/**
 * The execution role's credentials, which Lambda puts in the environment: the same variables,
 * read the same way, as the SDK's `fromEnv` (`@aws-sdk/credential-provider-env`), and the same
 * object for the SDK to hold: an unset or empty variable leaves its key out.
 */
export function awsEnvCredentials(
  env: Readonly<Record<string, string | undefined>> = process.env,
): AwsEnvCredentials {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error('Missing environment variable AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY');
  }
  const sessionToken = env.AWS_SESSION_TOKEN;
  const expiration = env.AWS_CREDENTIAL_EXPIRATION;
  const credentialScope = env.AWS_CREDENTIAL_SCOPE;
  const accountId = env.AWS_ACCOUNT_ID;
  return {
    accessKeyId,
    secretAccessKey,
    ...(sessionToken ? { sessionToken } : {}),
    ...(expiration ? { expiration: new Date(expiration) } : {}),
    ...(credentialScope ? { credentialScope } : {}),
    ...(accountId ? { accountId } : {}),
  };
}

/**
 * The endpoint configured for one AWS service the way the SDK reads it: `AWS_ENDPOINT_URL_<ID>`,
 * then `AWS_ENDPOINT_URL`, unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is `true`.
 */
export function awsEndpointOverride(
  serviceId: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true') return undefined;
  return env[`AWS_ENDPOINT_URL_${serviceId}`] || env.AWS_ENDPOINT_URL || undefined;
}
