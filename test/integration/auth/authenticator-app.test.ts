// The dashboard's Cognito calls for the authenticator app (frontend/src/lib/cognito.ts and
// cognito-mfa.ts), over HTTP against cognito-local configured like the AWS pool (MFA optional,
// TOTP only): enrolment, a sign-in that asks for the code, and turning it off.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCognito, startCognito } from '#local/cognito-stand-in.ts';
import {
  type CognitoConfig,
  CognitoError,
  initiatePasswordAuth,
  MfaCodeRequired,
  respondToSoftwareTokenChallenge,
  signUp,
} from '../../../frontend/src/lib/cognito.ts';
import {
  authenticatorEnabled,
  confirmAuthenticator,
  setAuthenticator,
  startAuthenticatorSetup,
} from '../../../frontend/src/lib/cognito-mfa.ts';
import { totpCode } from '../../fixtures/totp.ts';

const PASSWORD = 'Correct-horse-42!';
let dataDir: string;
let cognito: RunningCognito;
let config: CognitoConfig;
let run = 0;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'metrion-mfa-'));
  cognito = await startCognito({ dataDir: path.join(dataDir, 'cognito') });
  config = {
    region: cognito.region,
    userPoolId: cognito.userPoolId,
    clientId: cognito.clientId,
    endpoint: cognito.endpoint,
  };
});

afterAll(async () => {
  await cognito?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** A confirmed user (local sign-up confirms at once) and their access token. */
async function signedUpUser() {
  run += 1;
  const email = `mfa-${run}@example.com`;
  await signUp(config, email, PASSWORD);
  const tokens = await initiatePasswordAuth(config, email, PASSWORD);
  return { email, accessToken: tokens.accessToken };
}

/** The code step's session after a correct password. */
async function challengeSession(email: string): Promise<string> {
  const refused = await initiatePasswordAuth(config, email, PASSWORD).catch((error) => error);
  expect(refused).toBeInstanceOf(MfaCodeRequired);
  return (refused as MfaCodeRequired).session;
}

describe('authenticator app (against cognito-local)', () => {
  it('enrols with a code from a standard TOTP app, after which sign-in needs the code', async () => {
    const { email, accessToken } = await signedUpUser();
    expect(await authenticatorEnabled(config, accessToken)).toBe(false);

    const setup = await startAuthenticatorSetup(config, accessToken, email);
    expect(setup.secret).toMatch(/^[A-Z2-7]{16,}$/);
    expect(setup.uri).toBe(
      `otpauth://totp/Metrion%3A${encodeURIComponent(email)}?secret=${setup.secret}&issuer=Metrion&algorithm=SHA1&digits=6&period=30`,
    );
    await confirmAuthenticator(config, accessToken, totpCode(setup.secret));
    expect(await authenticatorEnabled(config, accessToken)).toBe(true);

    const session = await challengeSession(email);
    const tokens = await respondToSoftwareTokenChallenge(
      config,
      email,
      session,
      totpCode(setup.secret),
    );
    expect(tokens.idToken.split('.')).toHaveLength(3);
    expect(tokens.refreshToken).toBeDefined();
  });

  it('refuses a wrong code at enrolment and at sign-in, saying what to enter', async () => {
    const { email, accessToken } = await signedUpUser();
    const setup = await startAuthenticatorSetup(config, accessToken, email);
    const wrong = totpCode(setup.secret, Date.now() - 10 * 60_000);

    const enrolment = await confirmAuthenticator(config, accessToken, wrong).catch((e) => e);
    expect(enrolment).toBeInstanceOf(CognitoError);
    expect((enrolment as CognitoError).message).toMatch(/^That code is not correct/);
    expect(await authenticatorEnabled(config, accessToken)).toBe(false);

    await confirmAuthenticator(config, accessToken, totpCode(setup.secret));
    const session = await challengeSession(email);
    const signIn = await respondToSoftwareTokenChallenge(config, email, session, wrong).catch(
      (e) => e,
    );
    expect((signIn as CognitoError).code).toBe('CodeMismatchException');
    expect((signIn as CognitoError).message).toMatch(/^That code is not correct/);
  });

  it('signs in with the password alone again once turned off', async () => {
    const { email, accessToken } = await signedUpUser();
    const setup = await startAuthenticatorSetup(config, accessToken, email);
    await confirmAuthenticator(config, accessToken, totpCode(setup.secret));
    await challengeSession(email);

    await setAuthenticator(config, accessToken, false);
    expect(await authenticatorEnabled(config, accessToken)).toBe(false);
    const tokens = await initiatePasswordAuth(config, email, PASSWORD);
    expect(tokens.accessToken.split('.')).toHaveLength(3);
  });
});
