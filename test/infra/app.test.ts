import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { ENV_NAMES } from '../../lib/config/environments.ts';
import { acknowledge } from '../../lib/nag.ts';

const APP = path.resolve(import.meta.dirname, '../../bin/app.ts');

function runApp(context: Record<string, string>) {
  return spawnSync(process.execPath, [APP], {
    encoding: 'utf8',
    env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context) },
  });
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
});

describe('acknowledge', () => {
  it('refuses an acknowledgement without a real reason', () => {
    const stack = new Stack(new App(), 'Test');
    expect(() => acknowledge(stack, 'AwsSolutions-IAM5', ' ')).toThrow('needs a reason');
    expect(() => acknowledge(stack, 'AwsSolutions-IAM5', 'because')).toThrow('needs a reason');
  });
});
