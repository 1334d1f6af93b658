import {
  AUTHENTICATOR_CODE_MESSAGES,
  type CognitoConfig,
  CognitoError,
  callCognito,
} from './cognito.ts';

/** The issuer shown in authenticator apps next to the account's email. */
const ISSUER = 'Metrion';

/** A new authenticator secret, not yet active: the app must prove it with a code first. */
export interface AuthenticatorSetup {
  /** Base32 secret to type into the app. */
  readonly secret: string;
  /** `otpauth://totp/...`: opens the app on phones, and is what a QR code would carry. */
  readonly uri: string;
}

/** The signed-in user's authenticator app state (Cognito `GetUser`). */
export async function authenticatorEnabled(
  config: CognitoConfig,
  accessToken: string,
): Promise<boolean> {
  const user = await callCognito<{ UserMFASettingList?: string[] }>(config, 'GetUser', {
    AccessToken: accessToken,
  });
  return (user.UserMFASettingList ?? []).includes('SOFTWARE_TOKEN_MFA');
}

/** Starts enrolment: Cognito creates a secret for this user (`AssociateSoftwareToken`). */
export async function startAuthenticatorSetup(
  config: CognitoConfig,
  accessToken: string,
  email: string,
): Promise<AuthenticatorSetup> {
  const { SecretCode: secret } = await callCognito<{ SecretCode: string }>(
    config,
    'AssociateSoftwareToken',
    { AccessToken: accessToken },
  );
  const label = encodeURIComponent(`${ISSUER}:${email}`);
  const uri = `otpauth://totp/${label}?secret=${secret}&issuer=${ISSUER}&algorithm=SHA1&digits=6&period=30`;
  return { secret, uri };
}

/**
 * Finishes enrolment with a code from the app (`VerifySoftwareToken`), then makes the app the
 * user's second factor (`SetUserMFAPreference`): every later sign-in asks for a code.
 */
export async function confirmAuthenticator(
  config: CognitoConfig,
  accessToken: string,
  code: string,
): Promise<void> {
  const { Status: status } = await callCognito<{ Status?: string }>(
    config,
    'VerifySoftwareToken',
    { AccessToken: accessToken, UserCode: code, FriendlyDeviceName: ISSUER },
    AUTHENTICATOR_CODE_MESSAGES,
  );
  if (status !== 'SUCCESS') {
    throw new CognitoError(
      'CodeMismatchException',
      AUTHENTICATOR_CODE_MESSAGES.CodeMismatchException ?? '',
    );
  }
  await setAuthenticator(config, accessToken, true);
}

/** Turns the authenticator app off (or on) as the user's second factor. */
export async function setAuthenticator(
  config: CognitoConfig,
  accessToken: string,
  enabled: boolean,
): Promise<void> {
  await callCognito(config, 'SetUserMFAPreference', {
    AccessToken: accessToken,
    SoftwareTokenMfaSettings: { Enabled: enabled, PreferredMfa: enabled },
  });
}
