import { UnauthorizedError } from '#core/errors.ts';

/** Cognito ID tokens are a few KB; anything far larger is not one and is not parsed. */
const MAX_TOKEN_LENGTH = 16_384;

/**
 * The token of `Authorization: Bearer <token>` (scheme case-insensitive).
 * @param headers Lower-cased request headers.
 * @throws UnauthorizedError when the header is missing, not Bearer, or oversized.
 */
export function bearerToken(headers: Readonly<Record<string, string>>): string {
  const header = headers.authorization?.trim();
  if (!header) {
    throw new UnauthorizedError(
      'Sign in first: the dashboard API needs "Authorization: Bearer <Cognito ID token>".',
    );
  }
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  const token = match?.[1];
  if (token === undefined || token.length > MAX_TOKEN_LENGTH) {
    throw new UnauthorizedError(
      'Send the sign-in token as "Authorization: Bearer <Cognito ID token>".',
    );
  }
  return token;
}
