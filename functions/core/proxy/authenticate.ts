import type { Account } from '../accounts/account.ts';
import { looksLikeMetrionKey } from '../accounts/metrion-key.ts';
import { AuthenticationError } from '../errors.ts';
import type { AuthMode } from '../usage/usage-record.ts';

export interface AuthenticatedCaller {
  readonly account: Account;
  readonly mode: AuthMode;
  /** Digest of the Metrion Key used (names the rate-limit counter). */
  readonly keyDigest: string;
}

/** Who is calling, and a way to get the credential for upstream once the attempt is tracked. */
export interface Authentication {
  readonly caller: AuthenticatedCaller;
  /**
   * The provider credential to send upstream. Never logged, never stored.
   * @throws MissingProviderKeyError in stored mode when no key is stored for the provider.
   */
  upstreamKey(): Promise<string>;
}

/** The credentials a request presents, checked for shape only (nothing is looked up). */
export interface PresentedCredentials {
  readonly mode: AuthMode;
  /** The Metrion Key naming the account. */
  readonly metrionKey: string;
  /** Pass-through mode: the caller's own provider key, sent upstream as is. */
  readonly providerCredential?: string;
}

/** The credential from `x-api-key`, else from `Authorization: Bearer …`. */
export function readCredential(headers: Readonly<Record<string, string>>): string | undefined {
  const apiKey = headers['x-api-key']?.trim();
  if (apiKey) return apiKey;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return match?.[1];
}

/**
 * Stored mode: the credential is the Metrion Key, and the account's stored provider key goes
 * upstream. Pass-through mode: the credential is the caller's provider key, and
 * `x-metrion-token` names the account.
 * @throws AuthenticationError when the headers cannot name an account.
 */
export function presentedCredentials(
  headers: Readonly<Record<string, string>>,
): PresentedCredentials {
  const credential = readCredential(headers);
  if (credential === undefined && headers.authorization?.trim()) {
    throw new AuthenticationError(
      'The Authorization header is malformed: send "Authorization: Bearer <key>" with exactly one key and nothing after it.',
    );
  }
  if (credential === undefined) {
    throw new AuthenticationError(
      'No API key sent. Use your Metrion Key (sk-metrion-…) as the API key, or your provider key together with the x-metrion-token header.',
    );
  }
  if (looksLikeMetrionKey(credential)) return { mode: 'stored', metrionKey: credential };
  const metrionKey = headers['x-metrion-token']?.trim();
  if (!metrionKey) {
    throw new AuthenticationError(
      'Pass-through mode needs the x-metrion-token header set to your Metrion Key (sk-metrion-…).',
    );
  }
  if (!looksLikeMetrionKey(metrionKey)) {
    throw new AuthenticationError('x-metrion-token must be your Metrion Key (sk-metrion-…).');
  }
  return { mode: 'pass-through', metrionKey, providerCredential: credential };
}
