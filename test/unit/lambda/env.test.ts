import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultProvider } from '#lambda/aws-env-credentials.ts';
import { awsEnvCredentials, LAMBDA_ENV, parseUpstreamOriginOverrides } from '#lambda/env.ts';

describe('parseUpstreamOriginOverrides', () => {
  it('returns no overrides when the variable is unset or empty', () => {
    expect(parseUpstreamOriginOverrides(undefined)).toEqual({});
    expect(parseUpstreamOriginOverrides('')).toEqual({});
  });

  it('accepts http(s) origins of known providers', () => {
    const json = JSON.stringify({
      openai: 'http://127.0.0.1:4010',
      anthropic: 'https://fake.test',
    });
    expect(parseUpstreamOriginOverrides(json)).toEqual({
      openai: 'http://127.0.0.1:4010',
      anthropic: 'https://fake.test',
    });
  });

  it.each([
    ['an array', '["https://fake.test"]', 'must be a JSON object'],
    ['null', 'null', 'must be a JSON object'],
    ['an unknown provider', '{"acme":"https://fake.test"}', 'unknown provider: acme'],
    ['a path after the origin', '{"openai":"https://fake.test/v1"}', 'openai must be'],
    ['another scheme', '{"openai":"ftp://fake.test"}', 'openai must be'],
    ['a non-URL', '{"openai":"fake.test"}', 'openai must be'],
    ['a number', '{"openai":42}', 'openai must be'],
  ])('fails at cold start, naming the variable, on %s', (_case, json, message) => {
    expect(() => parseUpstreamOriginOverrides(json)).toThrow(LAMBDA_ENV.upstreamOrigins);
    expect(() => parseUpstreamOriginOverrides(json)).toThrow(message);
  });
});

describe('awsEnvCredentials', () => {
  it('reads the variables Lambda sets for the execution role', () => {
    const credentials = awsEnvCredentials({
      AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
      AWS_CREDENTIAL_EXPIRATION: '2026-12-01T10:00:00Z',
      AWS_ACCOUNT_ID: '111111111111',
    });
    expect(credentials).toEqual({
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'token',
      expiration: new Date('2026-12-01T10:00:00Z'),
      accountId: '111111111111',
    });
  });

  it('leaves out optional values that are not set', () => {
    expect(awsEnvCredentials({ AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 's' })).toEqual({
      accessKeyId: 'AKIA',
      secretAccessKey: 's',
    });
  });

  it('fails when the key pair is missing', () => {
    expect(() => awsEnvCredentials({ AWS_ACCESS_KEY_ID: 'AKIA' })).toThrow(
      'AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY',
    );
  });
});

describe("defaultProvider (Lambda bundles' stand-in for the SDK's credential chain)", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('resolves the credentials the environment holds when the SDK asks', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'ASIAFIRST');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'first');
    const provider = defaultProvider({ profile: 'ignored' });
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'ASIASECOND');
    await expect(provider()).resolves.toEqual({
      accessKeyId: 'ASIASECOND',
      secretAccessKey: 'first',
    });
  });
});
