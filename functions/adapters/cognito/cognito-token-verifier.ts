// TokenVerifier for Cognito ID tokens: JWKS over HTTP (fetched and cached by jose), RS256
// signature, issuer, audience (the app client), expiry and token_use.
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import type { SignedInUser } from '#core/accounts/signed-in-user.ts';
import { ServiceUnavailableError, UnauthorizedError } from '#core/errors.ts';
import type { TokenVerifier } from '#core/ports/token-verifier.ts';

export interface CognitoTokenVerifierOptions {
  /**
   * The user pool's issuer: `https://cognito-idp.<region>.amazonaws.com/<poolId>` in AWS
   * (`cognitoIssuer` in cognito-issuer.ts), `<cognito-local endpoint>/<poolId>` locally.
   */
  readonly issuer: string;
  /** The dashboard's app client id; ID tokens carry it as `aud`. */
  readonly clientId: string;
  /** @default - `<issuer>/.well-known/jwks.json`, where Cognito (and cognito-local) publish it */
  readonly jwksUrl?: string;
  /** Allowed clock skew for `exp`/`iat`. @default 5 */
  readonly clockToleranceSeconds?: number;
  /** Longest wait for the JWKS. @default 3000 */
  readonly jwksTimeoutMs?: number;
}

/** jose failures that mean "this token is not acceptable" (as opposed to "cannot check now"). */
const REJECTED_TOKEN_CODES: ReadonlySet<string> = new Set([
  errors.JWTExpired.code,
  errors.JWTClaimValidationFailed.code,
  errors.JWTInvalid.code,
  errors.JWSInvalid.code,
  errors.JWSSignatureVerificationFailed.code,
  errors.JWKSNoMatchingKey.code,
  errors.JWKSMultipleMatchingKeys.code,
  errors.JOSEAlgNotAllowed.code,
  errors.JOSENotSupported.code,
]);

const SIGN_IN_AGAIN = 'Your sign-in is not valid for Metrion. Sign in again.';

/**
 * Accepts Cognito **ID tokens** only: they carry the email the account is created with, and
 * their `aud` names the app client (access tokens carry `client_id` and no email). The signing
 * keys are cached in memory by jose and refetched when a token names an unknown key id (at most
 * every 30 s), so a warm function verifies without a network call.
 */
export class CognitoTokenVerifier implements TokenVerifier {
  readonly #issuer: string;
  readonly #clientId: string;
  readonly #clockToleranceSeconds: number;
  readonly #jwks: ReturnType<typeof createRemoteJWKSet>;

  constructor(options: CognitoTokenVerifierOptions) {
    this.#issuer = options.issuer;
    this.#clientId = options.clientId;
    this.#clockToleranceSeconds = options.clockToleranceSeconds ?? 5;
    this.#jwks = createRemoteJWKSet(
      new URL(options.jwksUrl ?? `${options.issuer}/.well-known/jwks.json`),
      { timeoutDuration: options.jwksTimeoutMs ?? 3000 },
    );
  }

  async verify(token: string): Promise<SignedInUser> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.#jwks, {
        issuer: this.#issuer,
        algorithms: ['RS256'],
        requiredClaims: ['sub', 'exp', 'iat'],
        clockTolerance: this.#clockToleranceSeconds,
      }));
    } catch (error) {
      throw translate(error);
    }
    if (payload.token_use !== 'id') {
      throw new UnauthorizedError(
        'Send the Cognito ID token (not the access or refresh token) as the Bearer token.',
      );
    }
    // Checked after token_use so that an access token (no `aud`) gets the helpful message.
    const audiences = [payload.aud].flat();
    if (audiences.length !== 1 || audiences[0] !== this.#clientId) {
      throw new UnauthorizedError(SIGN_IN_AGAIN);
    }
    const { sub, email } = payload;
    if (typeof sub !== 'string' || sub.length === 0 || typeof email !== 'string' || !email) {
      throw new UnauthorizedError(SIGN_IN_AGAIN);
    }
    return { accountId: sub, email };
  }
}

function translate(error: unknown): Error {
  if (error instanceof errors.JWTExpired) {
    return new UnauthorizedError('Your session has expired. Sign in again.');
  }
  if (error instanceof errors.JOSEError && REJECTED_TOKEN_CODES.has(error.code)) {
    return new UnauthorizedError(SIGN_IN_AGAIN);
  }
  // The caller's token may be fine: answer "retry", never "sign in again".
  return new ServiceUnavailableError(
    'Metrion could not check your sign-in right now. Retry in a few seconds.',
    { service: 'cognito-jwks', cause: error },
  );
}
