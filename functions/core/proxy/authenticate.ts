import type { Account } from '../accounts/account.ts';
import { looksLikeMetrionKey, metrionKeyDigest } from '../accounts/metrion-key.ts';
import { AuthenticationError, MissingProviderKeyError } from '../errors.ts';
import type { AccountStore } from '../ports/account-store.ts';
import { PROVIDERS, type ProviderId } from '../providers/provider-registry.ts';
import type { AuthMode } from '../usage/usage-record.ts';
import { providerKeyContext, type SecretVault } from '../vault/secret-vault.ts';

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

export interface AuthenticateDeps {
  readonly accounts: AccountStore;
  readonly vault: SecretVault;
  readonly pepper: Uint8Array;
}

/** The credential from `x-api-key`, else from `Authorization: Bearer …`. */
export function readCredential(headers: Readonly<Record<string, string>>): string | undefined {
  const apiKey = headers['x-api-key']?.trim();
  if (apiKey) return apiKey;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return match?.[1];
}

async function resolveAccountId(
  deps: AuthenticateDeps,
  metrionKey: string,
): Promise<{ accountId: string; digest: string }> {
  const digest = metrionKeyDigest(metrionKey, deps.pepper);
  const accountId = await deps.accounts.findAccountIdByKeyDigest(digest);
  if (accountId === undefined) {
    throw new AuthenticationError(
      'This Metrion Key is not valid (it may have been regenerated). Copy the current key from Settings > Metrion Key.',
    );
  }
  return { accountId, digest };
}

/**
 * Stored mode: the credential is the Metrion Key, and the account's stored provider key goes
 * upstream. Pass-through mode: the credential is the caller's provider key, and
 * `x-metrion-token` names the account.
 * @throws AuthenticationError
 */
export async function authenticate(
  deps: AuthenticateDeps,
  headers: Readonly<Record<string, string>>,
  provider: ProviderId,
): Promise<Authentication> {
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
  const stored = looksLikeMetrionKey(credential);
  const metrionKey = stored ? credential : headers['x-metrion-token']?.trim();
  if (!metrionKey) {
    throw new AuthenticationError(
      'Pass-through mode needs the x-metrion-token header set to your Metrion Key (sk-metrion-…).',
    );
  }
  if (!looksLikeMetrionKey(metrionKey)) {
    throw new AuthenticationError('x-metrion-token must be your Metrion Key (sk-metrion-…).');
  }
  const { accountId, digest } = await resolveAccountId(deps, metrionKey);
  const view = await deps.accounts.getProxyView(accountId, provider);
  if (view === undefined) {
    throw new AuthenticationError('The account for this Metrion Key no longer exists.');
  }
  // A lookup item left by a lost regeneration race never authenticates: the profile decides.
  if (view.metrionKeyDigest !== digest) {
    throw new AuthenticationError(
      'This Metrion Key is not valid (it may have been regenerated). Copy the current key from Settings > Metrion Key.',
    );
  }
  if (!stored) {
    return {
      caller: { account: view.account, mode: 'pass-through', keyDigest: digest },
      upstreamKey: async () => credential,
    };
  }
  const { providerKey } = view;
  return {
    caller: { account: view.account, mode: 'stored', keyDigest: digest },
    async upstreamKey() {
      if (providerKey === undefined) {
        throw new MissingProviderKeyError(
          `No ${PROVIDERS[provider].displayName} key is stored for this account. Add one under Settings > Providers, or send your own key with the x-metrion-token header (pass-through mode).`,
        );
      }
      return deps.vault.open(providerKey.sealed, providerKeyContext(accountId, provider));
    },
  };
}
