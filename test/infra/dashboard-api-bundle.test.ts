import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledAssetDir, removeOutdirs } from './synth.ts';

// The budget is in lambda-bundles.test.ts.

afterAll(removeOutdirs);

// Really bundles (local esbuild): jose, zod, middy and stripe must survive ESM bundling.
describe('dashboard API bundle', () => {
  let code: string;

  beforeAll(() => {
    code = fs.readFileSync(
      path.join(bundledAssetDir('Metrion dashboard API'), 'index.mjs'),
      'utf8',
    );
  });

  it('is an ESM bundle that starts with the createRequire banner', () => {
    expect(code.startsWith("import { createRequire } from 'module';")).toBe(true);
  });

  it('verifies tokens with jose against the JWKS', () => {
    expect(code).toContain('.well-known/jwks.json');
  });

  it('calls Stripe for Checkout and the billing portal', () => {
    expect(code).toContain('api.stripe.com');
  });

  it.each(['dynalite', 'cognito-local', 'stormdb', 'aws-ses-v2-local', 'local Stripe Checkout'])(
    'contains nothing of %s (local mode stays out)',
    (marker) => {
      expect(code).not.toContain(marker);
    },
  );
});
