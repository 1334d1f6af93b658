import { resolve } from 'node:path';
import { z } from 'zod';
import { PROVIDER_IDS } from '#core/providers/provider-registry.ts';
import type { LocalBillingOptions } from './local-billing.ts';
import { LOCAL_PORTS } from './local-ports.ts';

const port = (defaultPort: number) =>
  z.coerce.number().int().min(0).max(65_535).default(defaultPort);

/** Local mode's settings, read once from the environment by `bin/local.ts` and `bin/admin.ts`. */
const localEnvSchema = z.object({
  [LOCAL_PORTS.api.variable]: port(LOCAL_PORTS.api.port),
  METRION_DATA_DIR: z.string().default('.metrion'),
  /** cognito-local's port; fixed because token issuers contain it (sessions survive restarts). */
  [LOCAL_PORTS.cognito.variable]: port(LOCAL_PORTS.cognito.port),
  /** aws-ses-v2-local's port (alert emails; web inbox at its root). */
  [LOCAL_PORTS.ses.variable]: port(LOCAL_PORTS.ses.port),
  /** Seconds between alert evaluator runs (EventBridge runs it every minute in AWS). */
  METRION_ALERTS_INTERVAL_S: z.coerce.number().int().min(1).max(86_400).default(60),
  /** The built dashboard, served for every non-API path when the folder exists. */
  METRION_STATIC_DIR: z.string().default('frontend/dist'),
  /** Where the fx-rates job reads the ECB daily XML; the same variable as the Lambda's. */
  FX_RATES_URL: z.url().optional(),
  /** Where the price refresh reads the genai-prices data; the same variable as the Lambda's. */
  PRICES_URL: z.url().optional(),
  /** JSON object of provider -> origin, e.g. {"openai":"http://127.0.0.1:9000"}. */
  METRION_UPSTREAM_ORIGINS: z
    .string()
    .default('{}')
    .transform((text) => z.partialRecord(z.enum(PROVIDER_IDS), z.url()).parse(JSON.parse(text))),
  /** The local Stripe stand-in's port (its Checkout and portal pages open in the browser). */
  [LOCAL_PORTS.stripe.variable]: port(LOCAL_PORTS.stripe.port),
  /** All three set: real Stripe in test mode instead of the stand-in. */
  STRIPE_SECRET_KEY: z.string().startsWith('sk_').optional(),
  STRIPE_WEBHOOK_SECRET: z.string().startsWith('whsec_').optional(),
  STRIPE_PRO_PRICE_ID: z.string().startsWith('price_').optional(),
  /** What Pro costs per month in USD, shown on the Plan page (the Lambda's variable). */
  PRO_MONTHLY_PRICE_USD: z
    .string()
    .regex(/^\d{1,6}\.\d{2}$/, 'a USD amount with 2 decimals, e.g. 29.00')
    .optional(),
});

const STRIPE_VARIABLES = [
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
  'STRIPE_PRO_PRICE_ID',
] as const;

export type LocalConfig = {
  readonly port: number;
  readonly dataDir: string;
  /** Whether METRION_DATA_DIR named the data folder (else it is the default). */
  readonly dataDirFromEnv: boolean;
  readonly cognitoPort: number;
  readonly sesPort: number;
  readonly alertsIntervalS: number;
  readonly staticDir: string;
  readonly upstreamOrigins: Partial<Record<(typeof PROVIDER_IDS)[number], string>>;
  readonly billing: LocalBillingOptions;
  /** @default - `DEFAULT_PRO_MONTHLY_PRICE_USD` */
  readonly proMonthlyPriceUsd?: string | undefined;
  /** @default - the ECB */
  readonly fxRatesUrl?: string | undefined;
  /** @default - the genai-prices repository's maintained data file */
  readonly pricesUrl?: string | undefined;
};

export function readLocalConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): LocalConfig {
  const parsed = localEnvSchema.parse(env);
  const missing = STRIPE_VARIABLES.filter((name) => parsed[name] === undefined);
  if (missing.length > 0 && missing.length < STRIPE_VARIABLES.length) {
    throw new Error(
      `Real Stripe needs ${STRIPE_VARIABLES.join(', ')}; missing ${missing.join(', ')}. Unset them all to use the local Stripe stand-in.`,
    );
  }
  const billing: LocalBillingOptions =
    parsed.STRIPE_SECRET_KEY && parsed.STRIPE_WEBHOOK_SECRET && parsed.STRIPE_PRO_PRICE_ID
      ? {
          kind: 'stripe',
          secretKey: parsed.STRIPE_SECRET_KEY,
          webhookSecret: parsed.STRIPE_WEBHOOK_SECRET,
          proPriceId: parsed.STRIPE_PRO_PRICE_ID,
        }
      : { kind: 'stand-in', port: parsed.METRION_STRIPE_PORT };
  return {
    billing,
    port: parsed.PORT,
    dataDir: resolve(parsed.METRION_DATA_DIR),
    dataDirFromEnv: env.METRION_DATA_DIR !== undefined,
    cognitoPort: parsed.METRION_COGNITO_PORT,
    sesPort: parsed.METRION_SES_PORT,
    alertsIntervalS: parsed.METRION_ALERTS_INTERVAL_S,
    staticDir: resolve(parsed.METRION_STATIC_DIR),
    upstreamOrigins: parsed.METRION_UPSTREAM_ORIGINS,
    fxRatesUrl: parsed.FX_RATES_URL,
    proMonthlyPriceUsd: parsed.PRO_MONTHLY_PRICE_USD,
    pricesUrl: parsed.PRICES_URL,
  };
}
