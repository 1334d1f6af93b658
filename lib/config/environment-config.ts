import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { z } from 'zod';
import { PROVIDER_IDS } from '#core/providers/provider-registry.ts';

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

export const environmentConfigSchema = z.strictObject({
  /** Short lower-case name; part of the stack name (`Metrion-<envName>`) and of resource names. */
  envName: z.string().regex(/^[a-z][a-z0-9-]{1,15}$/, 'lower-case letters, digits and dashes'),
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
  /** Where CloudWatch alarms are e-mailed. Omitted: alarms exist but notify nobody. */
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
   * The dashboard's origin (`https://app.example.com`): links in alert emails, and where Stripe
   * Checkout and the billing portal return.
   */
  dashboardUrl: originSchema,
  /** Alert emails: the sender address (its domain becomes the SES identity). */
  alerts: z.strictObject({
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
});

/** Everything that differs between environments. Constructs receive this, never CDK context. */
export type EnvironmentConfig = z.infer<typeof environmentConfigSchema>;

/**
 * Validates a config and returns it typed.
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
  return result.data;
}
