import fs from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrionStack } from '../../lib/metrion-stack.ts';
import { CDK_JSON_CONTEXT, removeOutdirs, tempOutdir, testConfig } from './synth.ts';

/** Cold start grows with bundle size; raise this only with a measured reason. */
const DASHBOARD_API_BUNDLE_BUDGET_BYTES = 1_500_000;

afterAll(removeOutdirs);

// Really bundles (local esbuild): jose, zod, middy and stripe must survive ESM bundling.
describe('dashboard API bundle', () => {
  let code: string;

  beforeAll(() => {
    const outdir = tempOutdir('dashboard-api-bundle');
    const app = new App({
      outdir,
      context: CDK_JSON_CONTEXT,
      builtinCloudFormationValidation: false,
    });
    const template = Template.fromStack(createMetrionStack(app, testConfig()));
    const functions = template.findResources('AWS::Lambda::Function', {
      Properties: { Description: Match.stringLikeRegexp('^Metrion dashboard API') },
    });
    const [fn] = Object.values(functions);
    if (!fn) throw new Error('the stack has no dashboard API function');
    const s3Key = (fn.Properties as { Code: { S3Key: string } }).Code.S3Key;
    code = fs.readFileSync(
      path.join(outdir, `asset.${s3Key.replace(/\.zip$/, '')}`, 'index.mjs'),
      'utf8',
    );
  });

  it('is an ESM bundle that starts with the createRequire banner', () => {
    expect(code.startsWith("import { createRequire } from 'module';")).toBe(true);
  });

  it(`stays under ${DASHBOARD_API_BUNDLE_BUDGET_BYTES} bytes`, () => {
    expect(Buffer.byteLength(code)).toBeLessThan(DASHBOARD_API_BUNDLE_BUDGET_BYTES);
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
