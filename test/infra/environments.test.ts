import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnvironmentConfig } from '../../lib/config/environment-config.ts';
import { ENV_NAMES, ENVIRONMENTS } from '../../lib/config/environments.ts';
import { launchBlockers } from '../../lib/config/launch-readiness.ts';
import { removeOutdirs, synthWithValidation, testConfig } from './synth.ts';
import { LAUNCH_READY_PROD, testEnvironment } from './template.ts';

afterAll(removeOutdirs);

describe('ENVIRONMENTS', () => {
  it('holds exactly these per-environment values', () => {
    expect(ENVIRONMENTS).toMatchSnapshot();
  });

  it('dev passes the config schema as it is, with its placeholders', () => {
    expect(parseEnvironmentConfig('dev', ENVIRONMENTS.dev)).toEqual(ENVIRONMENTS.dev);
    expect(launchBlockers(ENVIRONMENTS.dev)).not.toEqual([]);
  });

  it('prod is production, retains data, and is refused while it holds placeholders', () => {
    expect(ENVIRONMENTS.prod).toMatchObject({ production: true, retainData: true });
    expect(() => parseEnvironmentConfig('prod', ENVIRONMENTS.prod)).toThrow(
      /^Metrion-prod is production and cannot deploy half-done: fill in lib\/config\/environments\.ts: account 222222222222 is a placeholder.*alarmEmail is missing[^\n]*\.$/,
    );
  });

  it('prod filled in as an operator would passes, with nothing left to fill', () => {
    expect(launchBlockers(testEnvironment('prod'))).toEqual([]);
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
    ['a dashboard domain with a scheme', { dashboardDomain: 'https://app.io' }, 'dashboardDomain'],
    ['a hosted zone id of another shape', { hostedZone: { id: 'x', name: 'a.io' } }, 'hostedZone'],
    [
      'reservations that leave under 100 of the quota unreserved',
      { capacity: { ...ENVIRONMENTS.dev.capacity, proxyConcurrency: 900 } },
      'leave at least 100',
    ],
    ['production that does not retain data', { production: true }, 'retainData'],
  ])('rejects %s, naming the field', (_, override, field) => {
    expect(() => parseEnvironmentConfig('dev', { ...testConfig(), ...override })).toThrow(field);
  });

  it('rejects a config whose envName differs from its key', () => {
    expect(() => parseEnvironmentConfig('prod', testConfig())).toThrow("declares envName 'dev'");
  });
});

describe('launchBlockers', () => {
  it.each([
    ['an account of one repeated digit', { account: '000000000000' }, 'account 000000000000'],
    ['a .example dashboard domain', { dashboardDomain: 'app.metrion.example' }, 'dashboardDomain'],
    ['a .test hosted zone', { hostedZone: { id: 'Z123456789', name: 'x.test' } }, 'hostedZone'],
    ['a placeholder zone id', { hostedZone: { id: 'Z000000', name: 'metrion.io' } }, 'hostedZone'],
    ['a sender at example.com', { email: { sender: 'a@example.com' } }, 'email.sender'],
    [
      'a placeholder price',
      { billing: { stripeProPriceId: 'price_PLACEHOLDER', proMonthlyPriceUsd: '29.00' } },
      'price',
    ],
    ['no alarm email', { alarmEmail: undefined }, 'alarmEmail is missing'],
    ['an alarm email at .invalid', { alarmEmail: 'ops@x.invalid' }, 'alarmEmail'],
  ])('names %s', (_, override, phrase) => {
    const blockers = launchBlockers({ ...testEnvironment('prod'), ...override });
    expect(blockers).toHaveLength(1);
    expect(blockers[0]).toContain(phrase);
  });

  it('accepts production without a dashboard domain or hosted zone (the CloudFront URL)', () => {
    const { dashboardDomain: _domain, hostedZone: _zone, ...withoutDomain } = LAUNCH_READY_PROD;
    expect(launchBlockers(parseEnvironmentConfig('prod', withoutDomain))).toEqual([]);
  });
});

// Every environment, synthesized as `cdk synth` does it: cdk-nag (AwsSolutions) and CDK's
// CloudFormation validation. Any finding not acknowledged next to its construct fails here.
// Prod is synthesized filled in (LAUNCH_READY_PROD), through the same schema.
describe.each(ENV_NAMES)('Metrion-%s with cdk-nag', (name) => {
  let result: ReturnType<typeof synthWithValidation>;
  beforeAll(() => {
    result = synthWithValidation(testEnvironment(name));
  });

  it('is three stacks: edge (us-east-1), email, and the main one', () => {
    expect(result.stackNames).toEqual([
      `Metrion-${name}-edge`,
      `Metrion-${name}-email`,
      `Metrion-${name}`,
    ]);
  });

  it('has no unacknowledged finding of any validation plugin', () => {
    expect(result.violations).toEqual([]);
  });
});
