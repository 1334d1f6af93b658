import { InvalidRequestError, NotFoundError } from '../errors.ts';
import type { AccountStore } from '../ports/account-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { ProviderKeyStore } from '../ports/provider-key-store.ts';
import { PROVIDERS, type ProviderId } from '../providers/provider-registry.ts';
import { providerKeyContext, type SecretVault } from '../vault/secret-vault.ts';
import { looksLikeMetrionKey } from './metrion-key.ts';

export interface ProviderKeyServiceDeps {
  readonly accounts: Pick<AccountStore, 'getAccount'>;
  readonly providerKeys: ProviderKeyStore;
  readonly vault: SecretVault;
  readonly clock: Clock;
}

/** Summary of a stored provider key: never the key, not even a fragment. */
export interface ProviderKeySummary {
  readonly provider: ProviderId;
  readonly createdAt: string;
}

/** The provider key use cases: save one (sealed), list them, remove one. */
export function createProviderKeyService(deps: ProviderKeyServiceDeps) {
  const nowIso = () => new Date(deps.clock.nowMs()).toISOString();

  return {
    /** Adds or replaces the account's key for `provider`, sealed before it is stored. */
    async putProviderKey(
      accountId: string,
      provider: ProviderId,
      key: string,
    ): Promise<ProviderKeySummary> {
      const trimmed = key.trim();
      if (looksLikeMetrionKey(trimmed)) {
        throw new InvalidRequestError(
          `This is a Metrion Key. Paste your ${PROVIDERS[provider].displayName} API key instead, from ${PROVIDERS[provider].consoleKeysUrl}.`,
        );
      }
      if (!PROVIDERS[provider].keyPattern.test(trimmed)) {
        throw new InvalidRequestError(
          `This does not look like an API key for ${PROVIDERS[provider].displayName}. Copy the key from ${PROVIDERS[provider].consoleKeysUrl}.`,
        );
      }
      if ((await deps.accounts.getAccount(accountId)) === undefined) {
        throw new NotFoundError('Account not found.');
      }
      const createdAt = nowIso();
      await deps.providerKeys.putProviderKey({
        accountId,
        provider,
        sealed: await deps.vault.seal(trimmed, providerKeyContext(accountId, provider)),
        createdAt,
      });
      return { provider, createdAt };
    },

    async listProviderKeys(accountId: string): Promise<ProviderKeySummary[]> {
      const keys = await deps.providerKeys.listProviderKeys(accountId);
      return keys.map(({ provider, createdAt }) => ({ provider, createdAt }));
    },

    /** Removes the key and returns where to revoke it at the provider. */
    async deleteProviderKey(
      accountId: string,
      provider: ProviderId,
    ): Promise<{ provider: ProviderId; revokeUrl: string }> {
      if (!(await deps.providerKeys.deleteProviderKey(accountId, provider))) {
        throw new NotFoundError(`No ${PROVIDERS[provider].displayName} key is stored.`);
      }
      return { provider, revokeUrl: PROVIDERS[provider].consoleKeysUrl };
    },
  };
}
