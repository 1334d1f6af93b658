import { resolve } from 'node:path';
import { z } from 'zod';
import { PROVIDER_IDS } from '#core/providers/provider-registry.ts';

/** Local mode's settings, read once from the environment by `bin/local.ts` and `bin/admin.ts`. */
const localEnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(8787),
  METRION_DATA_DIR: z.string().default('.metrion'),
  /** cognito-local's port; fixed because token issuers contain it (sessions survive restarts). */
  METRION_COGNITO_PORT: z.coerce.number().int().min(0).max(65_535).default(8788),
  /** aws-ses-v2-local's port (alert emails; web inbox at its root). */
  METRION_SES_PORT: z.coerce.number().int().min(0).max(65_535).default(8789),
  /** Seconds between alert evaluator runs (EventBridge runs it every minute in AWS). */
  METRION_ALERTS_INTERVAL_S: z.coerce.number().int().min(1).max(86_400).default(60),
  /** The built dashboard, served for every non-API path when the folder exists. */
  METRION_STATIC_DIR: z.string().default('frontend/dist'),
  /** Where the fx-rates job reads the ECB daily XML; the same variable as the Lambda's. */
  FX_RATES_URL: z.url().optional(),
  /** JSON object of provider -> origin, e.g. {"openai":"http://127.0.0.1:9000"}. */
  METRION_UPSTREAM_ORIGINS: z
    .string()
    .default('{}')
    .transform((text) => z.partialRecord(z.enum(PROVIDER_IDS), z.url()).parse(JSON.parse(text))),
});

export type LocalConfig = {
  readonly port: number;
  readonly dataDir: string;
  readonly cognitoPort: number;
  readonly sesPort: number;
  readonly alertsIntervalS: number;
  readonly staticDir: string;
  readonly upstreamOrigins: Partial<Record<(typeof PROVIDER_IDS)[number], string>>;
  /** @default - the ECB */
  readonly fxRatesUrl?: string;
};

export function readLocalConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): LocalConfig {
  const parsed = localEnvSchema.parse(env);
  return {
    port: parsed.PORT,
    dataDir: resolve(parsed.METRION_DATA_DIR),
    cognitoPort: parsed.METRION_COGNITO_PORT,
    sesPort: parsed.METRION_SES_PORT,
    alertsIntervalS: parsed.METRION_ALERTS_INTERVAL_S,
    staticDir: resolve(parsed.METRION_STATIC_DIR),
    upstreamOrigins: parsed.METRION_UPSTREAM_ORIGINS,
    ...(parsed.FX_RATES_URL === undefined ? {} : { fxRatesUrl: parsed.FX_RATES_URL }),
  };
}
