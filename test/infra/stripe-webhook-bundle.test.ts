import fs from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrionStack } from '../../lib/metrion-stack.ts';
import { removeOutdirs, tempOutdir, testConfig } from './synth.ts';

/**
 * Cold start grows with bundle size; raise this only with a measured reason. Measured 1,091,135
 * bytes (2026-12): the `stripe` SDK (its resource classes are not tree-shaken) is about 300 KB.
 */
const WEBHOOK_BUNDLE_BUDGET_BYTES = 1_250_000;

afterAll(removeOutdirs);

// Really bundles (local esbuild): middy and stripe (CommonJS parts) must survive ESM bundling.
describe('Stripe webhook bundle', () => {
  let code: string;

  beforeAll(() => {
    const outdir = tempOutdir('stripe-webhook-bundle');
    const app = new App({ outdir, builtinCloudFormationValidation: false });
    const template = Template.fromStack(createMetrionStack(app, testConfig()));
    const functions = template.findResources('AWS::Lambda::Function', {
      Properties: { Description: Match.stringLikeRegexp('^Metrion Stripe webhook') },
    });
    const [fn] = Object.values(functions);
    if (!fn) throw new Error('the stack has no Stripe webhook function');
    const s3Key = (fn.Properties as { Code: { S3Key: string } }).Code.S3Key;
    code = fs.readFileSync(
      path.join(outdir, `asset.${s3Key.replace(/\.zip$/, '')}`, 'index.mjs'),
      'utf8',
    );
  });

  it('is an ESM bundle that starts with the createRequire banner', () => {
    expect(code.startsWith("import { createRequire } from 'module';")).toBe(true);
  });

  it(`stays under ${WEBHOOK_BUNDLE_BUDGET_BYTES} bytes`, () => {
    expect(Buffer.byteLength(code)).toBeLessThan(WEBHOOK_BUNDLE_BUDGET_BYTES);
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
