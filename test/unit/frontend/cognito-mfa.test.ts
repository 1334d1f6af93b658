// What cognito-local does not do (test/integration/auth/authenticator-app.test.ts covers the
// rest): it accepts any Session string forever and a code twice. Real Cognito answers an
// expired sign-in session with NotAuthorizedException and a reused code with
// ExpiredCodeException; a fake Cognito endpoint checks the messages people then see, and the
// exact calls the adapter makes.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type CognitoConfig,
  CognitoError,
  respondToSoftwareTokenChallenge,
} from '../../../frontend/src/lib/cognito.ts';
import { confirmAuthenticator, setAuthenticator } from '../../../frontend/src/lib/cognito-mfa.ts';

const CONFIG: CognitoConfig = {
  region: 'eu-central-1',
  userPoolId: 'eu-central-1_Pool',
  clientId: 'client-1',
  endpoint: 'https://cognito.test/',
};

interface Call {
  readonly target: string;
  readonly body: Record<string, unknown>;
}

/** A fake Cognito answering each call with the next of `answers` (status, JSON payload). */
function fakeCognito(...answers: Array<[number, object]>): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
    const headers = init.headers as Record<string, string>;
    calls.push({
      target: String(headers['x-amz-target']).replace('AWSCognitoIdentityProviderService.', ''),
      body: JSON.parse(String(init.body)),
    });
    const [status, payload] = answers.shift() ?? [500, {}];
    return new Response(JSON.stringify(payload), { status });
  });
  return calls;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('authenticator code at sign-in, as real Cognito answers it', () => {
  it('sends the code in the SOFTWARE_TOKEN_MFA challenge with the session', async () => {
    const calls = fakeCognito([
      200,
      {
        AuthenticationResult: {
          IdToken: 'i',
          AccessToken: 'a',
          RefreshToken: 'r',
          ExpiresIn: 3600,
        },
      },
    ]);
    const tokens = await respondToSoftwareTokenChallenge(CONFIG, 'a@b.io', 'sess', '123456');
    expect(tokens).toEqual({
      idToken: 'i',
      accessToken: 'a',
      refreshToken: 'r',
      expiresInSeconds: 3600,
    });
    expect(calls).toEqual([
      {
        target: 'RespondToAuthChallenge',
        body: {
          ClientId: 'client-1',
          ChallengeName: 'SOFTWARE_TOKEN_MFA',
          Session: 'sess',
          ChallengeResponses: { USERNAME: 'a@b.io', SOFTWARE_TOKEN_MFA_CODE: '123456' },
        },
      },
    ]);
  });

  it.each([
    [
      'an expired sign-in session',
      'NotAuthorizedException',
      'Invalid session for the user, session is expired.',
      'The sign-in took too long. Start again with your password.',
    ],
    [
      'a code used already',
      'ExpiredCodeException',
      'Your software token has already been used once.',
      'That code was already used. Wait for the next one.',
    ],
  ])('answers %s with what to do', async (_, type, cognitoMessage, shown) => {
    fakeCognito([400, { __type: type, message: cognitoMessage }]);
    const refused = await respondToSoftwareTokenChallenge(CONFIG, 'a@b.io', 's', '1').catch(
      (error) => error,
    );
    expect(refused).toBeInstanceOf(CognitoError);
    expect(refused).toMatchObject({ code: type, message: shown });
  });
});

describe('authenticator enrolment calls', () => {
  it('verifies the code, then makes the app the preferred second factor', async () => {
    const calls = fakeCognito([200, { Status: 'SUCCESS' }], [200, {}]);
    await confirmAuthenticator(CONFIG, 'access', '654321');
    expect(calls).toEqual([
      {
        target: 'VerifySoftwareToken',
        body: { AccessToken: 'access', UserCode: '654321', FriendlyDeviceName: 'Metrion' },
      },
      {
        target: 'SetUserMFAPreference',
        body: {
          AccessToken: 'access',
          SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
        },
      },
    ]);
  });

  it('does not turn the app on when Cognito says the verification did not succeed', async () => {
    const calls = fakeCognito([200, { Status: 'ERROR' }]);
    const refused = await confirmAuthenticator(CONFIG, 'access', '000000').catch((e) => e);
    expect(refused).toBeInstanceOf(CognitoError);
    expect(calls.map((call) => call.target)).toEqual(['VerifySoftwareToken']);
  });

  it('turns it off without a preference', async () => {
    const calls = fakeCognito([200, {}]);
    await setAuthenticator(CONFIG, 'access', false);
    expect(calls[0]?.body).toEqual({
      AccessToken: 'access',
      SoftwareTokenMfaSettings: { Enabled: false, PreferredMfa: false },
    });
  });
});
