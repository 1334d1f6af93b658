import { api } from './api-client.ts';
import {
  signUp as cognitoSignUp,
  confirmSignUp,
  initiatePasswordAuth,
  resendConfirmationCode,
  respondToSoftwareTokenChallenge,
} from './cognito.ts';
import {
  type AuthenticatorSetup,
  authenticatorEnabled,
  confirmAuthenticator,
  setAuthenticator,
  startAuthenticatorSetup,
} from './cognito-mfa.ts';
import { freshAccessToken, sessionEmail, startSession } from './session.ts';

/** Where to go after signing in: only same-origin paths (no open redirect through `?next=`). */
export function safeNextPath(next: string | null | undefined, fallback = '/integrate'): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) {
    return fallback;
  }
  return next;
}

/**
 * Email + password sign-in; on success the session is stored for this tab.
 * @throws MfaCodeRequired when the account has an authenticator app: finish with
 *   {@link signInWithAuthenticatorCode}.
 */
export async function signIn(email: string, password: string): Promise<void> {
  const tokens = await initiatePasswordAuth(await api.cognitoConfig(), email, password);
  startSession(email, tokens);
}

/** The second step of a sign-in with an authenticator app: its current code. */
export async function signInWithAuthenticatorCode(
  email: string,
  session: string,
  code: string,
): Promise<void> {
  const config = await api.cognitoConfig();
  startSession(email, await respondToSoftwareTokenChallenge(config, email, session, code));
}

/**
 * Creates the Cognito user.
 * @returns whether a confirmation code is still needed before signing in.
 */
export async function signUp(email: string, password: string): Promise<{ needsCode: boolean }> {
  const { confirmed } = await cognitoSignUp(await api.cognitoConfig(), email, password);
  return { needsCode: !confirmed };
}

/** Confirms the email address with the code Cognito sent. */
export async function confirmEmail(email: string, code: string): Promise<void> {
  await confirmSignUp(await api.cognitoConfig(), email, code);
}

/** Sends a new confirmation code to the email address. */
export async function resendCode(email: string): Promise<void> {
  await resendConfirmationCode(await api.cognitoConfig(), email);
}

/** Cognito's settings and the signed-in user's access token; without a session, sign-in. */
async function signedInUser() {
  const config = await api.cognitoConfig();
  const accessToken = await freshAccessToken(config);
  if (accessToken === undefined) {
    location.assign(`/sign-in?next=${encodeURIComponent(location.pathname)}`);
    return new Promise<never>(() => {});
  }
  return { config, accessToken, email: sessionEmail() ?? '' };
}

/** The signed-in user's authenticator app (Settings > Security), through Cognito directly. */
export const authenticator = {
  async enabled(): Promise<boolean> {
    const { config, accessToken } = await signedInUser();
    return authenticatorEnabled(config, accessToken);
  },
  async start(): Promise<AuthenticatorSetup> {
    const { config, accessToken, email } = await signedInUser();
    return startAuthenticatorSetup(config, accessToken, email);
  },
  async confirm(code: string): Promise<void> {
    const { config, accessToken } = await signedInUser();
    await confirmAuthenticator(config, accessToken, code);
  },
  async turnOff(): Promise<void> {
    const { config, accessToken } = await signedInUser();
    await setAuthenticator(config, accessToken, false);
  },
};
