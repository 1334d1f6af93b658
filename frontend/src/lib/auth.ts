import { api } from './api-client.ts';
import {
  signUp as cognitoSignUp,
  confirmSignUp,
  initiatePasswordAuth,
  resendConfirmationCode,
} from './cognito.ts';
import { startSession } from './session.ts';

/** Where to go after signing in: only same-origin paths (no open redirect through `?next=`). */
export function safeNextPath(next: string | null | undefined, fallback = '/integrate'): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) {
    return fallback;
  }
  return next;
}

/** Email + password sign-in; on success the session is stored for this tab. */
export async function signIn(email: string, password: string): Promise<void> {
  const tokens = await initiatePasswordAuth(await api.cognitoConfig(), email, password);
  startSession(email, tokens);
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
