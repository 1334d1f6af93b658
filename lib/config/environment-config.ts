import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { z } from 'zod';
import { PROVIDER_IDS } from '#core/providers/provider-registry.ts';
import { launchBlockers } from './launch-readiness.ts';

/**
 * Log retention periods CloudWatch accepts, taken from CDK's own enum so the schema cannot offer
 * a value CloudFormation rejects. "Never expire" is excluded on purpose: logs may hold request
 * metadata and must age out.
 */
const RETENTION_DAYS = Object.values(RetentionDays).filter(
  (value): value is RetentionDays => typeof value === 'number' && value !== RetentionDays.INFINITE,
);

/** A browser origin: scheme, host and optional port, nothing else (`https://app.example.com`). */
const originSchema = z
  .url({ protocol: /^https?$/ })
  .refine((value) => new URL(value).origin === value, {
    message: 'must be an origin (scheme://host[:port]) without path or trailing slash',
  });

/** A lower-case DNS name with at least one dot (`app.metrion.io`). */
const hostnameSchema = z
  .string()
  .regex(
    /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'a lower-case DNS name such as app.example.com',
  );

/**
 * Lambda keeps at least this much of the account's concurrency unreserved: a reservation that
 * would leave less fails at deploy time, so synthesis refuses it first.
 */
export const LAMBDA_UNRESERVED_MINIMUM = 100;

const capacitySchema = z
  .strictObject({
    /**
     * The account's Lambda concurrent-executions quota in this region (Service Quotas code
     * L-B99A9384). New accounts start far below the 1,000 default: raise it before deploying.
     */
    lambdaConcurrencyQuota: z.int().min(LAMBDA_UNRESERVED_MINIMUM),
    /**
     * Reserved concurrency of the proxy, which is also its ceiling: long streams hold one
     * environment each, and this cap keeps them from taking the whole account (docs/cost.md).
     */
    proxyConcurrency: z.int().min(1),
    /** Reserved for the usage aggregator (one environment per stream shard it reads). */
    usageAggregatorConcurrency: z.int().min(1),
    /** Reserved for the Stripe webhook, so that plan changes land while the proxy is busy. */
    stripeWebhookConcurrency: z.int().min(1),
    /**
     * Steady requests per second API Gateway admits on each proxy route (each route is its own
     * bucket); the burst is twice this. The dashboard and webhook routes have fixed, smaller
     * budgets of their own.
     */
    proxyRequestsPerSecond: z.int().min(1).max(10_000),
    /**
     * Requests one client IP may make in 5 minutes through CloudFront (the dashboard, its API and
     * the proxy; WAF rate rule) before it is blocked until its rate drops. The proxy's own limit
     * (100/min per Metrion Key) is far lower; this stops floods and many keys behind one address.
     */
    requestsPerIpPer5Minutes: z.int().min(100).max(2_000_000_000),
  })
  .refine(
    (capacity) =>
      capacity.proxyConcurrency +
        capacity.usageAggregatorConcurrency +
        capacity.stripeWebhookConcurrency <=
      capacity.lambdaConcurrencyQuota - LAMBDA_UNRESERVED_MINIMUM,
    {
      message: `reserved concurrency (proxy + usage aggregator + Stripe webhook) must leave at least ${LAMBDA_UNRESERVED_MINIMUM} of lambdaConcurrencyQuota unreserved; raise the quota or lower a reservation`,
    },
  );

export const environmentConfigSchema = z
  .strictObject({
    /** Short lower-case name; part of the stack names (`Metrion-<envName>`) and resource names. */
    envName: z.string().regex(/^[a-z][a-z0-9-]{1,15}$/, 'lower-case letters, digits and dashes'),
    /**
     * Serves customers: synthesis refuses placeholders and a missing `alarmEmail`, and data is
     * retained (`retainData` must be true).
     */
    production: z.boolean(),
    /** AWS account id, 12 digits. Explicit so `cdk synth` works offline. */
    account: z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id'),
    /** AWS region, e.g. `eu-central-1`. */
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as eu-central-1'),
    /**
     * Keep stateful resources (tables, keys, the pepper secret) when the stack or resource is
     * deleted, and turn on deletion protection. On for any environment holding customer data.
     */
    retainData: z.boolean(),
    /** Browser origins allowed to call the proxy directly (CORS). Empty: no cross-origin callers. */
    corsAllowedOrigins: z.array(originSchema),
    /**
     * Where CloudWatch alarms are e-mailed (the subscription must be confirmed from the first
     * e-mail). Required in production; omitted elsewhere, alarms change state and notify nobody.
     */
    alarmEmail: z.email().optional(),
    /** CloudWatch Logs retention for function and access logs, in days. */
    logRetentionDays: z.number().refine((days) => (RETENTION_DAYS as number[]).includes(days), {
      message: `must be one of ${RETENTION_DAYS.join(', ')}`,
    }),
    /**
     * Per-provider upstream origin overrides (e.g. a staging fake). Omitted providers use the
     * registry default. Never set in prod unless the provider itself moved.
     */
    upstreamOrigins: z.partialRecord(z.enum(PROVIDER_IDS), originSchema).optional(),
    /**
     * The dashboard's own host name (`app.metrion.io`): CloudFront serves it with an ACM
     * certificate from us-east-1 (TLS 1.2 at least), and it becomes the dashboard URL (links in
     * emails, Stripe's return pages). Omitted: the distribution's `*.cloudfront.net` URL is the
     * dashboard URL.
     */
    dashboardDomain: hostnameSchema.optional(),
    /**
     * A Route 53 public hosted zone of yours. Records for names inside it are created by the
     * stacks: the certificate's validation, the dashboard's alias, the sender domain's DKIM.
     * Omitted (or a name outside it): the stacks output the records to create by hand.
     */
    hostedZone: z
      .strictObject({
        id: z.string().regex(/^Z[A-Z0-9]{5,31}$/, 'a Route 53 hosted zone id (Z…)'),
        name: hostnameSchema,
      })
      .optional(),
    /** Outgoing email (SES): sign-up codes, password resets, alerts. */
    email: z.strictObject({
      /**
       * The From address. Its domain becomes the SES identity (DKIM-verified) that Cognito and
       * the alert emails send through.
       */
      sender: z.email(),
    }),
    /**
     * Billing (Stripe): the Pro plan's price in this environment's Stripe account (a test-mode
     * price outside prod). The Stripe keys are not config: they live in the stack's Secrets
     * Manager secrets (docs/billing.md).
     */
    billing: z.strictObject({
      stripeProPriceId: z.string().regex(/^price_\w+$/, 'a Stripe price id (price_…)'),
      /**
       * What that price charges per month in USD, as the Plan page shows it (`"29.00"`). Keep it
       * equal to the Stripe price: Checkout shows and charges Stripe's amount.
       */
      proMonthlyPriceUsd: z
        .string()
        .regex(/^\d{1,6}\.\d{2}$/, 'a USD amount with 2 decimals, e.g. "29.00"'),
    }),
    /** Concurrency reservations, throttles and edge rate limits (quota arithmetic: docs/cost.md). */
    capacity: capacitySchema,
  })
  .refine((config) => !config.production || config.retainData, {
    message: 'a production environment must retain its data (retainData: true)',
    path: ['retainData'],
  });

/** Everything that differs between environments. Constructs receive this, never CDK context. */
export type EnvironmentConfig = z.infer<typeof environmentConfigSchema>;

/** The sender domain: the SES identity every email goes out through. */
export function emailDomainOf(config: Pick<EnvironmentConfig, 'email'>): string {
  return config.email.sender.slice(config.email.sender.lastIndexOf('@') + 1);
}

/**
 * Validates a config and returns it typed. A production config that still holds placeholders
 * (or has no `alarmEmail`) is refused with one line naming each field to fill.
 * @throws Error naming the environment and every invalid field.
 */
export function parseEnvironmentConfig(name: string, input: unknown): EnvironmentConfig {
  const result = environmentConfigSchema.safeParse(input);
  if (!result.success) {
    throw new Error(
      `Invalid configuration for environment '${name}':\n${z.prettifyError(result.error)}`,
    );
  }
  if (result.data.envName !== name) {
    throw new Error(
      `Environment '${name}' declares envName '${result.data.envName}'; they must be equal.`,
    );
  }
  const blockers = launchBlockers(result.data);
  if (result.data.production && blockers.length > 0) {
    throw new Error(
      `Metrion-${name} is production and cannot deploy half-done: fill in lib/config/environments.ts: ${blockers.join('; ')}.`,
    );
  }
  return result.data;
}
