import fs from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrionStack } from '../../lib/metrion-stack.ts';
import { CDK_JSON_CONTEXT, removeOutdirs, tempOutdir, testConfig } from './synth.ts';

/** Cold start grows with bundle size; raise this only with a measured reason. */
const LOGS_EXPORT_BUNDLE_BUDGET_BYTES = 1_200_000;

afterAll(removeOutdirs);

// Really bundles (local esbuild): middy's streaming mode, jose and zod must survive ESM bundling.
describe('logs export bundle', () => {
  let code: string;

  beforeAll(() => {
    const outdir = tempOutdir('logs-export-bundle');
    const app = new App({
      outdir,
      context: CDK_JSON_CONTEXT,
      builtinCloudFormationValidation: false,
    });
    const template = Template.fromStack(createMetrionStack(app, testConfig()));
    const [fn] = Object.values(
      template.findResources('AWS::Lambda::Function', {
        Properties: { Description: Match.stringLikeRegexp('^Metrion Logs CSV export') },
      }),
    );
    if (!fn) throw new Error('the stack has no logs export function');
    const s3Key = (fn.Properties as { Code: { S3Key: string } }).Code.S3Key;
    code = fs.readFileSync(
      path.join(outdir, `asset.${s3Key.replace(/\.zip$/, '')}`, 'index.mjs'),
      'utf8',
    );
  }, 120_000);

  it(`is an ESM bundle under ${LOGS_EXPORT_BUNDLE_BUDGET_BYTES} bytes`, () => {
    expect(code.startsWith("import { createRequire } from 'module';")).toBe(true);
    expect(Buffer.byteLength(code)).toBeLessThan(LOGS_EXPORT_BUNDLE_BUDGET_BYTES);
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
