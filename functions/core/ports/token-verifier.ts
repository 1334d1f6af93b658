import type { SignedInUser } from '../accounts/signed-in-user.ts';

/** Turns a dashboard sign-in token into the user it was issued to. */
export interface TokenVerifier {
  /**
   * Verifies signature, issuer, audience, expiry and token use, then returns the user.
   * @throws UnauthorizedError when the token is not a valid sign-in token for this app.
   * @throws ServiceUnavailableError when the verifier itself is unavailable (signing keys
   * unreachable), so callers answer 503 rather than telling a signed-in user to sign in again.
   */
  verify(token: string): Promise<SignedInUser>;
}
