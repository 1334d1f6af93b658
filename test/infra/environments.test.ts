import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnvironmentConfig } from '../../lib/config/environment-config.ts';
import { ENV_NAMES, ENVIRONMENTS } from '../../lib/config/environments.ts';
import { removeOutdirs, synthWithValidation, testConfig } from './synth.ts';

afterAll(removeOutdirs);

describe('ENVIRONMENTS', () => {
  it('holds exactly these per-environment values', () => {
    expect(ENVIRONMENTS).toMatchSnapshot();
  });

  it.each(ENV_NAMES)('%s passes the config schema', (name) => {
    expect(parseEnvironmentConfig(name, ENVIRONMENTS[name])).toEqual(ENVIRONMENTS[name]);
  });

  it('retains data in prod', () => {
    expect(ENVIRONMENTS.prod.retainData).toBe(true);
  });
});

describe('parseEnvironmentConfig', () => {
  it.each([
    ['an account id that is not 12 digits', { account: '12345' }, 'account'],
    ['a CORS entry with a path', { corsAllowedOrigins: ['https://app.example.com/'] }, 'origin'],
    ['a retention CloudWatch does not offer', { logRetentionDays: 10 }, 'logRetentionDays'],
    [
      'an override for an unknown provider',
      { upstreamOrigins: { cohere: 'https://x.io' } },
      'upstreamOrigins',
    ],
    ['an unknown field', { domain: 'metrion.example' }, 'domain'],
  ])('rejects %s, naming the field', (_, override, field) => {
    expect(() => parseEnvironmentConfig('dev', { ...testConfig(), ...override })).toThrow(field);
  });

  it('rejects a config whose envName differs from its key', () => {
    expect(() => parseEnvironmentConfig('prod', testConfig())).toThrow("declares envName 'dev'");
  });
});

// Every environment, synthesized as `cdk synth` does it: cdk-nag (AwsSolutions) and CDK's
// CloudFormation validation. Any finding not acknowledged next to its construct fails here.
describe.each(ENV_NAMES)('Metrion-%s with cdk-nag', (name) => {
  let result: ReturnType<typeof synthWithValidation>;
  beforeAll(() => {
    result = synthWithValidation(parseEnvironmentConfig(name, ENVIRONMENTS[name]));
  });

  it('is named Metrion-<env>', () => {
    expect(result.stackName).toBe(`Metrion-${name}`);
  });

  it('has no unacknowledged finding of any validation plugin', () => {
    expect(result.violations).toEqual([]);
  });
});
