import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { ENV_NAMES } from '../../lib/config/environments.ts';
import { acknowledge } from '../../lib/nag.ts';
import { CDK_JSON_CONTEXT, removeOutdirs, tempOutdir } from './synth.ts';

const APP = path.resolve(import.meta.dirname, '../../bin/app.ts');

afterAll(removeOutdirs);

/** Runs `bin/app.ts` as `cdk synth` does (cdk.json's context, an output folder), no bundling. */
function runApp(context: Record<string, unknown>, outdir = tempOutdir('app')) {
  const result = spawnSync(process.execPath, [APP], {
    encoding: 'utf8',
    env: {
      ...process.env,
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify({
        ...CDK_JSON_CONTEXT,
        'aws:cdk:bundling-stacks': [],
        ...context,
      }),
    },
  });
  return { ...result, outdir };
}

describe('bin/app.ts', () => {
  it.each([
    ['no environment', {}],
    ['an unknown environment', { env: 'staging' }],
  ])('fails on %s and lists the valid names', (_, context) => {
    const result = runApp(context);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`-c env=<name> with one of: ${ENV_NAMES.join(', ')}`);
  });

  it('refuses prod with placeholders in one line that names every field to fill', () => {
    const result = runApp({ env: 'prod' });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Metrion-prod is production and cannot deploy half-done: /);
    for (const field of ['account', 'dashboardDomain', 'email.sender', 'stripeProPriceId']) {
      expect(lines[0]).toContain(field);
    }
    expect(lines[0]).toContain('alarmEmail is missing');
    expect(fs.existsSync(path.join(result.outdir, 'manifest.json'))).toBe(false);
  });

  it('synthesizes dev with its placeholders, warning once what a deploy still needs', () => {
    const result = runApp({ env: 'dev' });
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/^Metrion-dev synthesizes with placeholders; a deploy needs/m);
    for (const stack of ['Metrion-dev-edge', 'Metrion-dev-email', 'Metrion-dev']) {
      expect(fs.existsSync(path.join(result.outdir, `${stack}.template.json`))).toBe(true);
    }
  });
});

describe('acknowledge', () => {
  it('refuses an acknowledgement without a real reason', () => {
    const stack = new Stack(new App(), 'Test');
    expect(() => acknowledge(stack, 'AwsSolutions-IAM5', ' ')).toThrow('needs a reason');
    expect(() => acknowledge(stack, 'AwsSolutions-IAM5', 'because')).toThrow('needs a reason');
  });
});
