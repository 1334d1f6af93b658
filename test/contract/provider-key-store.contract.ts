import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type AccountPorts,
  newAccount,
  newMetrionKey,
  newProviderKey,
} from '../fixtures/account-stores.ts';
import { proxyViewOf } from '../fixtures/admission.ts';
import { freshForEachTest } from '../fixtures/each-test.ts';

function proxyViewSuite(createPorts: () => AccountPorts | Promise<AccountPorts>): void {
  describe('proxy view', () => {
    const ports = freshForEachTest(createPorts);

    it('returns the account without a provider key when none is stored', async () => {
      const account = newAccount();
      const metrionKey = newMetrionKey();
      await ports.accounts.createAccount(account, metrionKey);
      await ports.providerKeys.putProviderKey(newProviderKey(account.accountId, 'openai'));

      const view = await proxyViewOf(ports.admission, metrionKey.digest, 'anthropic');

      expect(view).toEqual({ account });
      expect(view?.providerKey).toBeUndefined();
    });

    it('returns the account with the key of the requested provider', async () => {
      const account = newAccount();
      const metrionKey = newMetrionKey();
      await ports.accounts.createAccount(account, metrionKey);
      const anthropic = newProviderKey(account.accountId, 'anthropic');
      await ports.providerKeys.putProviderKey(anthropic);
      await ports.providerKeys.putProviderKey(newProviderKey(account.accountId, 'openai'));

      expect(await proxyViewOf(ports.admission, metrionKey.digest, 'anthropic')).toEqual({
        account,
        providerKey: anthropic,
      });
    });

    it('admits no unknown digest, even if provider keys exist for an unknown account', async () => {
      await ports.providerKeys.putProviderKey(newProviderKey(randomUUID(), 'openai'));

      expect(await proxyViewOf(ports.admission, newMetrionKey().digest)).toBeUndefined();
    });
  });
}

function providerKeysSuite(createPorts: () => AccountPorts | Promise<AccountPorts>): void {
  describe('provider keys', () => {
    const ports = freshForEachTest(createPorts);

    it('lists the keys of one account ordered by provider id', async () => {
      const account = newAccount();
      await ports.accounts.createAccount(account, newMetrionKey());
      const keys = (['openai', 'anthropic', 'mistral'] as const).map((provider) =>
        newProviderKey(account.accountId, provider),
      );
      for (const key of keys) await ports.providerKeys.putProviderKey(key);
      await ports.providerKeys.putProviderKey(newProviderKey(randomUUID(), 'gemini'));

      const listed = await ports.providerKeys.listProviderKeys(account.accountId);

      expect(listed.map((key) => key.provider)).toEqual(['anthropic', 'mistral', 'openai']);
      expect(listed).toEqual([keys[1], keys[2], keys[0]]);
      expect(await ports.providerKeys.listProviderKeys(randomUUID())).toEqual([]);
    });

    it('replaces the key of a provider that already has one', async () => {
      const account = newAccount();
      const metrionKey = newMetrionKey();
      await ports.accounts.createAccount(account, metrionKey);
      await ports.providerKeys.putProviderKey(newProviderKey(account.accountId, 'openai'));
      const replacement = newProviderKey(account.accountId, 'openai');

      await ports.providerKeys.putProviderKey(replacement);

      expect(await ports.providerKeys.listProviderKeys(account.accountId)).toEqual([replacement]);
      expect((await proxyViewOf(ports.admission, metrionKey.digest))?.providerKey).toEqual(
        replacement,
      );
    });

    it('deletes a key, reporting whether there was one', async () => {
      const account = newAccount();
      const metrionKey = newMetrionKey();
      await ports.accounts.createAccount(account, metrionKey);
      const grok = newProviderKey(account.accountId, 'grok');
      await ports.providerKeys.putProviderKey(grok);
      await ports.providerKeys.putProviderKey(newProviderKey(account.accountId, 'mistral'));

      expect(await ports.providerKeys.deleteProviderKey(account.accountId, 'mistral')).toBe(true);
      expect(await ports.providerKeys.deleteProviderKey(account.accountId, 'mistral')).toBe(false);
      expect(await ports.providerKeys.deleteProviderKey(account.accountId, 'gemini')).toBe(false);

      expect(await ports.providerKeys.listProviderKeys(account.accountId)).toEqual([grok]);
      expect(await proxyViewOf(ports.admission, metrionKey.digest, 'mistral')).toEqual({ account });
      expect((await proxyViewOf(ports.admission, metrionKey.digest, 'grok'))?.providerKey).toEqual(
        grok,
      );
    });
  });
}

/**
 * The ProviderKeyStore contract: every implementation (in-memory fake, DynamoProviderKeyStore)
 * must pass it. Accounts are created through the paired AccountStore; what the proxy hands out
 * is checked through the paired ProxyAdmission.
 */
export function providerKeyStoreContract(
  createPorts: () => AccountPorts | Promise<AccountPorts>,
): void {
  proxyViewSuite(createPorts);
  providerKeysSuite(createPorts);
}
