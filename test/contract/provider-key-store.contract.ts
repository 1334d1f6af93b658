import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AccountStore } from '#core/ports/account-store.ts';
import type { ProviderKeyStore } from '#core/ports/provider-key-store.ts';
import type { ProxyAdmission } from '#core/ports/proxy-admission.ts';
import {
  type AccountPorts,
  newAccount,
  newMetrionKey,
  newProviderKey,
} from '../fixtures/account-stores.ts';
import { proxyViewOf } from '../fixtures/admission.ts';

/**
 * The ProviderKeyStore contract: every implementation (in-memory fake, DynamoProviderKeyStore)
 * must pass it. Accounts are created through the paired AccountStore; what the proxy hands out
 * is checked through the paired ProxyAdmission.
 */
export function providerKeyStoreContract(
  createPorts: () => AccountPorts | Promise<AccountPorts>,
): void {
  let accounts: AccountStore;
  let store: ProviderKeyStore;
  let admission: ProxyAdmission;

  beforeEach(async () => {
    ({ accounts, providerKeys: store, admission } = await createPorts());
  });

  describe('proxy view', () => {
    it('returns the account without a provider key when none is stored', async () => {
      const account = newAccount();
      const metrionKey = newMetrionKey();
      await accounts.createAccount(account, metrionKey);
      await store.putProviderKey(newProviderKey(account.accountId, 'openai'));

      const view = await proxyViewOf(admission, metrionKey.digest, 'anthropic');

      expect(view).toEqual({ account });
      expect(view?.providerKey).toBeUndefined();
    });

    it('returns the account with the key of the requested provider', async () => {
      const account = newAccount();
      const metrionKey = newMetrionKey();
      await accounts.createAccount(account, metrionKey);
      const anthropic = newProviderKey(account.accountId, 'anthropic');
      await store.putProviderKey(anthropic);
      await store.putProviderKey(newProviderKey(account.accountId, 'openai'));

      expect(await proxyViewOf(admission, metrionKey.digest, 'anthropic')).toEqual({
        account,
        providerKey: anthropic,
      });
    });

    it('admits no unknown digest, even if provider keys exist for an unknown account', async () => {
      await store.putProviderKey(newProviderKey(randomUUID(), 'openai'));

      expect(await proxyViewOf(admission, newMetrionKey().digest)).toBeUndefined();
    });
  });

  describe('provider keys', () => {
    it('lists the keys of one account ordered by provider id', async () => {
      const account = newAccount();
      await accounts.createAccount(account, newMetrionKey());
      const keys = (['openai', 'anthropic', 'mistral'] as const).map((provider) =>
        newProviderKey(account.accountId, provider),
      );
      for (const key of keys) await store.putProviderKey(key);
      await store.putProviderKey(newProviderKey(randomUUID(), 'gemini'));

      const listed = await store.listProviderKeys(account.accountId);

      expect(listed.map((key) => key.provider)).toEqual(['anthropic', 'mistral', 'openai']);
      expect(listed).toEqual([keys[1], keys[2], keys[0]]);
      expect(await store.listProviderKeys(randomUUID())).toEqual([]);
    });

    it('replaces the key of a provider that already has one', async () => {
      const account = newAccount();
      const metrionKey = newMetrionKey();
      await accounts.createAccount(account, metrionKey);
      await store.putProviderKey(newProviderKey(account.accountId, 'openai'));
      const replacement = newProviderKey(account.accountId, 'openai');

      await store.putProviderKey(replacement);

      expect(await store.listProviderKeys(account.accountId)).toEqual([replacement]);
      expect((await proxyViewOf(admission, metrionKey.digest))?.providerKey).toEqual(replacement);
    });

    it('deletes a key, reporting whether there was one', async () => {
      const account = newAccount();
      const metrionKey = newMetrionKey();
      await accounts.createAccount(account, metrionKey);
      const grok = newProviderKey(account.accountId, 'grok');
      await store.putProviderKey(grok);
      await store.putProviderKey(newProviderKey(account.accountId, 'mistral'));

      expect(await store.deleteProviderKey(account.accountId, 'mistral')).toBe(true);
      expect(await store.deleteProviderKey(account.accountId, 'mistral')).toBe(false);
      expect(await store.deleteProviderKey(account.accountId, 'gemini')).toBe(false);

      expect(await store.listProviderKeys(account.accountId)).toEqual([grok]);
      expect(await proxyViewOf(admission, metrionKey.digest, 'mistral')).toEqual({ account });
      expect((await proxyViewOf(admission, metrionKey.digest, 'grok'))?.providerKey).toEqual(grok);
    });
  });
}
