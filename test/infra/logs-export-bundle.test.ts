import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledAssetDir, removeOutdirs } from './synth.ts';

// The budget is in lambda-bundles.test.ts.

afterAll(removeOutdirs);

// Really bundles (local esbuild): middy's streaming mode, jose and zod must survive ESM bundling.
describe('logs export bundle', () => {
  let code: string;

  beforeAll(() => {
    code = fs.readFileSync(
      path.join(bundledAssetDir('Metrion Logs CSV export'), 'index.mjs'),
      'utf8',
    );
  }, 120_000);

  it('is an ESM bundle that starts with the createRequire banner', () => {
    expect(code.startsWith("import { createRequire } from 'module';")).toBe(true);
  });

  it('streams through the Lambda runtime and verifies tokens against the JWKS', () => {
    expect(code).toContain('streamifyResponse');
    expect(code).toContain('.well-known/jwks.json');
  });

  it.each(['dynalite', 'cognito-local', 'aws-ses-v2-local', 'api.stripe.com', 'GetSecretValue'])(
    'contains nothing of %s (local mode, billing and secrets stay out)',
    (marker) => {
      expect(code).not.toContain(marker);
    },
  );
});
