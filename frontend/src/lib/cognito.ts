import type { z } from 'zod';
import type { publicConfigSchema } from '#contracts/settings-api.ts';

/** Where the browser reaches Cognito: the regional endpoint in AWS, cognito-local locally. */
export type CognitoConfig = z.infer<typeof publicConfigSchema>['cognito'];

/** Tokens from a successful sign-in or refresh (Cognito's `AuthenticationResult`). */
export interface CognitoTokens {
  readonly idToken: string;
  readonly accessToken: string;
  /** Not sent on refresh: Cognito keeps the original refresh token valid. */
  readonly refreshToken: string | undefined;
  readonly expiresInSeconds: number;
}

/** A Cognito API error with its exception name (`UsernameExistsException`) and a message for people. */
export class CognitoError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'CognitoError';
    this.code = code;
  }
}

// Cognito's own messages are terse or leak policy details; these say what to do next.
const FRIENDLY_MESSAGES: Readonly<Record<string, string>> = {
  UsernameExistsException: 'An account with this email already exists. Sign in instead.',
  UserNotFoundException: 'Email or password is incorrect.',
  NotAuthorizedException: 'Email or password is incorrect.',
  UserNotConfirmedException: 'Confirm your email address first: enter the code we sent you.',
  CodeMismatchException: 'That confirmation code is not correct. Check the email and try again.',
  ExpiredCodeException: 'That confirmation code has expired. Request a new one.',
  TooManyRequestsException: 'Too many attempts. Wait a minute and try again.',
  LimitExceededException: 'Too many attempts. Wait a few minutes and try again.',
};

function endpointOf(config: CognitoConfig): string {
  return config.endpoint ?? `https://cognito-idp.${config.region}.amazonaws.com/`;
}

// Sign-in never says which of the two was wrong (cognito-local answers a wrong password with
// InvalidPasswordException, which on SignUp means "does not meet the password policy").
const SIGN_IN_MESSAGES: Readonly<Record<string, string>> = {
  InvalidPasswordException: 'Email or password is incorrect.',
};

/**
 * The password was right and the account has an authenticator app: sign-in finishes with its
 * current code ({@link respondToSoftwareTokenChallenge}) within Cognito's session (3 minutes).
 */
export class MfaCodeRequired extends CognitoError {
  readonly session: string;

  constructor(session: string) {
    super('SOFTWARE_TOKEN_MFA', 'Enter the 6-digit code from your authenticator app.');
    this.name = 'MfaCodeRequired';
    this.session = session;
  }
}

/** What a wrong or late authenticator code means, in the words of the code step. */
export const AUTHENTICATOR_CODE_MESSAGES: Readonly<Record<string, string>> = {
  CodeMismatchException:
    'That code is not correct. Enter the current 6-digit code from your authenticator app.',
  EnableSoftwareTokenMFAException:
    'That code is not correct. Enter the current 6-digit code from your authenticator app.',
  ExpiredCodeException: 'That code was already used. Wait for the next one.',
  NotAuthorizedException: 'The sign-in took too long. Start again with your password.',
};

/** One call to the Cognito Identity Provider JSON API (what the AWS SDKs send, minus signing). */
export async function callCognito<T>(
  config: CognitoConfig,
  action: string,
  body: object,
  messages: Readonly<Record<string, string>> = {},
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(endpointOf(config), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `AWSCognitoIdentityProviderService.${action}`,
      },
      body: JSON.stringify(body),
    });
  } catch {
    throw new CognitoError(
      'NetworkError',
      'Could not reach the sign-in service. Check your connection and try again.',
    );
  }
  const payload = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    // `__type` may carry a namespace prefix: `com.amazonaws...#UsernameExistsException`.
    const code =
      String(payload.__type ?? payload.code ?? 'UnknownError')
        .split('#')
        .pop() ?? '';
    const message = typeof payload.message === 'string' ? payload.message : 'Sign-in failed.';
    throw new CognitoError(code, messages[code] ?? FRIENDLY_MESSAGES[code] ?? message);
  }
  return payload as T;
}

interface AuthenticationResultResponse {
  readonly AuthenticationResult?: {
    readonly IdToken: string;
    readonly AccessToken: string;
    readonly RefreshToken?: string;
    readonly ExpiresIn: number;
  };
  readonly ChallengeName?: string;
  readonly Session?: string;
}

function tokensOf(response: AuthenticationResultResponse): CognitoTokens {
  const result = response.AuthenticationResult;
  if (!result && response.ChallengeName === 'SOFTWARE_TOKEN_MFA' && response.Session) {
    throw new MfaCodeRequired(response.Session);
  }
  if (!result) {
    throw new CognitoError(
      response.ChallengeName ?? 'UnexpectedChallenge',
      'This account needs a sign-in step the dashboard does not support yet.',
    );
  }
  return {
    idToken: result.IdToken,
    accessToken: result.AccessToken,
    refreshToken: result.RefreshToken,
    expiresInSeconds: result.ExpiresIn,
  };
}

/**
 * Registers a user with email as the user name.
 * @returns whether Cognito already confirmed the user (no code needed).
 */
export async function signUp(
  config: CognitoConfig,
  email: string,
  password: string,
): Promise<{ readonly confirmed: boolean }> {
  const response = await callCognito<{ UserConfirmed?: boolean }>(config, 'SignUp', {
    ClientId: config.clientId,
    Username: email,
    Password: password,
    UserAttributes: [{ Name: 'email', Value: email }],
  });
  return { confirmed: response.UserConfirmed === true };
}

/** Confirms a sign-up with the code Cognito emailed. */
export async function confirmSignUp(
  config: CognitoConfig,
  email: string,
  code: string,
): Promise<void> {
  await callCognito(config, 'ConfirmSignUp', {
    ClientId: config.clientId,
    Username: email,
    ConfirmationCode: code,
  });
}

/** Sends a new confirmation code. */
export async function resendConfirmationCode(config: CognitoConfig, email: string): Promise<void> {
  await callCognito(config, 'ResendConfirmationCode', {
    ClientId: config.clientId,
    Username: email,
  });
}

/** Email + password sign-in (`USER_PASSWORD_AUTH`; TLS protects the password in transit). */
export async function initiatePasswordAuth(
  config: CognitoConfig,
  email: string,
  password: string,
): Promise<CognitoTokens> {
  return tokensOf(
    await callCognito<AuthenticationResultResponse>(
      config,
      'InitiateAuth',
      {
        ClientId: config.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD: password },
      },
      SIGN_IN_MESSAGES,
    ),
  );
}

/** Finishes a sign-in that needs the authenticator app's code (after {@link MfaCodeRequired}). */
export async function respondToSoftwareTokenChallenge(
  config: CognitoConfig,
  email: string,
  session: string,
  code: string,
): Promise<CognitoTokens> {
  return tokensOf(
    await callCognito<AuthenticationResultResponse>(
      config,
      'RespondToAuthChallenge',
      {
        ClientId: config.clientId,
        ChallengeName: 'SOFTWARE_TOKEN_MFA',
        Session: session,
        ChallengeResponses: { USERNAME: email, SOFTWARE_TOKEN_MFA_CODE: code },
      },
      AUTHENTICATOR_CODE_MESSAGES,
    ),
  );
}

/** New ID and access tokens from a refresh token. */
export async function refreshTokens(
  config: CognitoConfig,
  refreshToken: string,
): Promise<CognitoTokens> {
  return tokensOf(
    await callCognito<AuthenticationResultResponse>(config, 'InitiateAuth', {
      ClientId: config.clientId,
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    }),
  );
}
