import type { Account } from '../accounts/account.ts';
import { pageReference } from '../accounts/dashboard-pages.ts';
import { isMetrionKey, looksLikeMetrionKey } from '../accounts/metrion-key.ts';
import type { BudgetReservation } from '../budgets/reservation.ts';
import { AuthenticationError } from '../errors.ts';
import type { AuthMode } from '../usage/usage-record.ts';

export interface AuthenticatedCaller {
  readonly account: Account;
  readonly mode: AuthMode;
  /** Digest of the Metrion Key used (names the rate-limit counter). */
  readonly keyDigest: string;
  /**
   * What the admission reserved on the account's budgets; the request's usage record carries it
   * to the settle, which replaces it by the actual cost. Absent when no budget matched.
   */
  readonly reservation?: BudgetReservation | undefined;
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
      'No API key sent. Send your Metrion Key (sk-metrion-…) as the API key (Authorization: Bearer or x-api-key); or, in pass-through mode, your own provider key as the API key and your Metrion Key in the x-metrion-token header.',
    );
  }
  if (looksLikeMetrionKey(credential)) {
    return { mode: 'stored', metrionKey: wholeMetrionKey(credential, 'The API key') };
  }
  const metrionKey = headers['x-metrion-token']?.trim();
  if (!metrionKey) {
    throw new AuthenticationError(
      'The API key is not a Metrion Key, so Metrion takes it for your own provider key (pass-through mode), which needs your Metrion Key (sk-metrion-…) in the x-metrion-token header to name your account. Add that header, or send your Metrion Key as the API key to use the provider key saved in Metrion.',
    );
  }
  if (!looksLikeMetrionKey(metrionKey)) {
    throw new AuthenticationError(
      `x-metrion-token must be your Metrion Key (sk-metrion-…, under ${pageReference('metrionKey')}); your provider key goes in the API key (Authorization or x-api-key).`,
    );
  }
  return {
    mode: 'pass-through',
    metrionKey: wholeMetrionKey(metrionKey, 'x-metrion-token'),
    providerCredential: credential,
  };
}

/** A Metrion Key cut short or mistyped is refused on its shape, before any lookup. */
function wholeMetrionKey(key: string, where: string): string {
  if (isMetrionKey(key)) return key;
  throw new AuthenticationError(
    `${where} starts with sk-metrion- but is not a whole Metrion Key (sk-metrion- and 32 lowercase hex characters). Copy it again from ${pageReference('metrionKey')}.`,
  );
}
