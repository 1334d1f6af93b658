import { describe, expect, it } from 'vitest';
import { parseSmokeOptions } from '../../../scripts/smoke/smoke-options.ts';

const KEY = { SMOKE_PROVIDER_KEY: 'sk-test-0123456789' };

describe('npm run smoke options', () => {
  it('against npm start: a new user, the stand-in Checkout and the local SES inbox', () => {
    const options = parseSmokeOptions(['--url', 'http://127.0.0.1:8787/'], KEY);

    expect(options).toMatchObject({
      url: 'http://127.0.0.1:8787',
      start: { kind: 'sign-up' },
      model: 'gpt-4o-mini',
      checkout: 'complete',
      inbox: 'http://127.0.0.1:8789',
    });
    expect(options.email).toMatch(/^smoke-\d+@example\.com$/);
    expect(options.password).toMatch(/^(?=.*[A-Z])(?=.*[a-z])(?=.*\d)(?=.*[^A-Za-z\d]).{8,}$/);
  });

  it('against a deployed origin: only opens Checkout and reads no inbox', () => {
    const options = parseSmokeOptions(
      ['--url', 'https://d1234.cloudfront.net', '--email', 'ops@example.org'],
      { ...KEY, SMOKE_PASSWORD: 'Secret-Passw0rd!' },
    );

    expect(options).toMatchObject({ checkout: 'open', inbox: undefined });
  });

  it('needs a mailbox and a password for a deployed sign-up, which Cognito confirms by email', () => {
    expect(() => parseSmokeOptions(['--url', 'https://d1234.cloudfront.net'], KEY)).toThrow(
      /give --email of a mailbox you read and set SMOKE_PASSWORD/,
    );
  });

  it('confirms with --code, and needs the provider key', () => {
    const confirm = parseSmokeOptions(
      ['--url', 'https://d1234.cloudfront.net', '--email', 'ops@example.org', '--code', '123456'],
      { ...KEY, SMOKE_PASSWORD: 'Secret-Passw0rd!' },
    );

    expect(confirm.start).toEqual({ kind: 'confirm', code: '123456' });
    expect(() => parseSmokeOptions(['--url', 'http://127.0.0.1:8787'], {})).toThrow(
      'Set SMOKE_PROVIDER_KEY to an OpenAI API key.',
    );
  });
});
