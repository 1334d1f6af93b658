import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledAssetDir, removeOutdirs } from './synth.ts';

/**
 * Every function's bundle budget in bytes (`index.mjs`, minified), about 5% above its size when
 * last measured: cold start grows with the code a bundle evaluates, so raise a budget only with a
 * measured reason, and lower it when a bundle shrinks. `npm run bench` (cold-init) prints the sizes.
 *
 * Proxy: 250 KB at most (measured 146.5 KB): its AWS calls go through the signed JSON client
 * (`functions/lambda/lean-aws/`, `leanAwsClients` in MetrionFunction) instead of the SDK, whose
 * three clients were 252 KB of the 373 KB it had; 41 KB of what is left is the price table.
 */
const BUDGET_BYTES = {
  'Metrion proxy': 250_000,
  // 851,248 B measured with alert channels (their service, vault use, webhook client).
  'Metrion dashboard API': 895_000,
  // 375,763 B measured: the log reader keeps the budget that blocked a request.
  'Metrion Logs CSV export': 395_000,
  'Metrion Stripe webhook': 615_000,
  // 390,001 B measured: channel delivery adds the KMS client (opening channel secrets), the
  // vault and the webhook client.
  'Metrion alert evaluator': 410_000,
  // 345,325 B measured: the DynamoDB, KMS and SESv2 clients and the delivery code.
  'Metrion alert delivery retries': 365_000,
  'Metrion fx-rates': 225_000,
  // 261,232 B measured: the DynamoDB client, the bundled price table (the first refresh's
  // baseline) and the price data schema; never the genai-prices package.
  'Metrion price refresh': 275_000,
  // 376,914 B measured: the rollup store now carries the tag rollups (DynamoTagRollupStore),
  // the price catalog with service tiers and cache lifetimes, and the usage record's budget
  // reservation decoding.
  'Metrion reprice job': 396_000,
  // 240,516 B measured: the DynamoDB client and the tag rollups sealed beside the hourly ones;
  // records carry their budget reservation.
  'Metrion seal job': 253_000,
  // 219,402 B measured: the DynamoDB client (like the seal job), ~5 KB of our code and the
  // record's budget reservation decoding.
  'Metrion trace sweeper': 230_000,
  // 242,536 B measured: the DynamoDB client (like the seal job), our code with the per-key tag
  // rollups, and the budget settle with the ledger's attributes.
  'Metrion usage aggregator': 255_000,
  // 30,504 B measured: the signed JSON client (its signing keys cached as KeyObjects), the vault
  // and the document client's KeyObject hash, which the signed client's own signer leaves unused.
  'Metrion secret migrator': 33_000,
  // 323,407 B measured: the DynamoDB and SESv2 clients, the budget store, ledger and emails.
  'Metrion budget sweep': 340_000,
} as const;

/** Functions that bundle the signed JSON client instead of the AWS SDK's clients. */
const LEAN_AWS_CLIENTS: ReadonlySet<string> = new Set(['Metrion proxy', 'Metrion secret migrator']);

/** Only in the SDK's default credential chain, which Lambda bundles replace (lambda-bundling.ts). */
const DEFAULT_CREDENTIAL_CHAIN_MARKERS = ['AWS_CONTAINER_CREDENTIALS', 'credential-provider-ini'];

afterAll(removeOutdirs);

// Really bundles every function (local esbuild, as `cdk deploy` does).
describe.each(Object.entries(BUDGET_BYTES))('the %s bundle', (description, budget) => {
  let code: string;

  beforeAll(() => {
    code = fs.readFileSync(path.join(bundledAssetDir(description), 'index.mjs'), 'utf8');
  });

  it(`stays under ${budget} bytes`, () => {
    expect(Buffer.byteLength(code)).toBeLessThan(budget);
  });

  it('reads credentials from the environment only, without the SDK default chain', () => {
    expect(code).toContain('AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY');
    for (const marker of DEFAULT_CREDENTIAL_CHAIN_MARKERS) expect(code).not.toContain(marker);
  });

  it(`${LEAN_AWS_CLIENTS.has(description) ? 'contains no' : 'contains the'} AWS SDK client runtime`, () => {
    // The SDK's user agent prefix: sent by every SDK client, never by the signed JSON client.
    expect(code.includes('aws-sdk-js')).toBe(!LEAN_AWS_CLIENTS.has(description));
  });

  it('contains no zod locale but English, and jose only if it verifies tokens', () => {
    // The German locale's "too small" message: present only when all of zod is bundled.
    expect(code).not.toContain('Zu klein');
    // jose's error codes (ERR_JOSE_…, ERR_JWKS_…): only the two functions that verify tokens.
    const verifiesTokens = /dashboard API|Logs CSV export/.test(description);
    expect(/ERR_JOSE|ERR_JWKS/.test(code)).toBe(verifiesTokens);
  });
});
