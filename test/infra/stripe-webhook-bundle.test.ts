import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledAssetDir, removeOutdirs } from './synth.ts';

// The budget is in lambda-bundles.test.ts. The `stripe` SDK (its resource classes are not
// tree-shaken) is about 250 KB of it.

afterAll(removeOutdirs);

// Really bundles (local esbuild): middy and stripe (CommonJS parts) must survive ESM bundling.
describe('Stripe webhook bundle', () => {
  let code: string;

  beforeAll(() => {
    code = fs.readFileSync(
      path.join(bundledAssetDir('Metrion Stripe webhook'), 'index.mjs'),
      'utf8',
    );
  });

  it('is an ESM bundle that starts with the createRequire banner', () => {
    expect(code.startsWith("import { createRequire } from 'module';")).toBe(true);
  });

  it('verifies Stripe signatures with the SDK', () => {
    expect(code).toContain('No stripe-signature header value was provided.');
  });

  it.each([
    'dynalite',
    'cognito-local',
    'stormdb',
    'aws-ses-v2-local',
    'local Stripe Checkout',
    'jwks.json',
  ])('contains nothing of %s (local mode stays out)', (marker) => {
    expect(code).not.toContain(marker);
  });
});
