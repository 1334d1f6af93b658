import { randomBytes, randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Account, StoredMetrionKey, StoredProviderKey } from '#core/accounts/account.ts';
import { MetrionError, NotFoundError } from '#core/errors.ts';
import type { AccountStore } from '#core/ports/account-store.ts';
import type { ProxyAdmission } from '#core/ports/proxy-admission.ts';
import type { ProviderId } from '#core/providers/provider-registry.ts';
import type { SealedSecret } from '#core/vault/sealed-secret.ts';
import { proxyViewOf } from '../fixtures/admission.ts';

const base64 = (bytes: number): string => randomBytes(bytes).toString('base64');

function sealedSecret(): SealedSecret {
  return {
    version: 1,
    encryptedDataKey: base64(40),
    iv: base64(12),
    ciphertext: base64(48),
    authTag: base64(16),
  };
}

function newAccount(overrides: Partial<Account> = {}): Account {
  const accountId = randomUUID();
  return {
    accountId,
    email: `${accountId}@example.com`,
    displayName: 'Ada Lovelace',
    currency: 'EUR',
    plan: 'free',
    createdAt: '2026-11-24T10:00:00.000Z',
    ...overrides,
  };
}

function newMetrionKey(): StoredMetrionKey {
  return { digest: randomBytes(32).toString('hex'), sealed: sealedSecret() };
}

function providerKey(accountId: string, provider: ProviderId): StoredProviderKey {
  return { accountId, provider, sealed: sealedSecret(), createdAt: '2026-11-24T11:00:00.000Z' };
}

async function expectMetrionError(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(MetrionError);
  expect((error as MetrionError).code).toBe(code);
}

/** An AccountStore and the ProxyAdmission that reads what it writes. */
export interface AccountStoreFixture {
  readonly store: AccountStore;
  readonly admission: ProxyAdmission;
}

/**
 * The AccountStore contract: every implementation (in-memory fake, DynamoAccountStore) must
 * pass it. What the proxy sees is checked through the paired ProxyAdmission. `createStores` is
 * called before each test; tests use fresh random ids, so a store may be shared.
 */
export function accountStoreContract(
  createStores: () => AccountStoreFixture | Promise<AccountStoreFixture>,
): void {
  let store: AccountStore;
  let admission: ProxyAdmission;

  beforeEach(async () => {
    ({ store, admission } = await createStores());
  });

  /** The account a Metrion Key digest admits now, as the proxy would resolve it. */
  const ownerOf = async (digest: string) =>
    (await proxyViewOf(admission, digest))?.account.accountId;

  describe('accounts', () => {
    it('returns a created account, and undefined for an unknown id', async () => {
      const account = newAccount();
      await store.createAccount(account, newMetrionKey());

      expect(await store.getAccount(account.accountId)).toEqual(account);
      expect(await store.getAccount(randomUUID())).toBeUndefined();
    });

    it('rejects a second account with the same id and keeps the first one intact', async () => {
      const first = newAccount();
      const firstKey = newMetrionKey();
      await store.createAccount(first, firstKey);
      const secondKey = newMetrionKey();

      await expectMetrionError(
        store.createAccount({ ...first, email: 'intruder@example.com' }, secondKey),
        'account_exists',
      );

      expect(await store.getAccount(first.accountId)).toEqual(first);
      expect(await store.getMetrionKey(first.accountId)).toEqual(firstKey);
      expect(await ownerOf(secondKey.digest)).toBeUndefined();
    });

    it('never takes over a digest that another account owns', async () => {
      const owner = newAccount();
      const key = newMetrionKey();
      await store.createAccount(owner, key);
      const other = newAccount();

      await expectMetrionError(store.createAccount(other, key), 'metrion_key_conflict');

      expect(await ownerOf(key.digest)).toBe(owner.accountId);
      expect(await store.getAccount(other.accountId)).toBeUndefined();
      await store.createAccount(other, newMetrionKey());
      expect(await store.getAccount(other.accountId)).toEqual(other);
    });
  });

  describe('Metrion Key', () => {
    it('resolves the digest to its account, and an unknown digest to undefined', async () => {
      const account = newAccount();
      const key = newMetrionKey();
      await store.createAccount(account, key);

      expect(await ownerOf(key.digest)).toBe(account.accountId);
      expect(await ownerOf(newMetrionKey().digest)).toBeUndefined();
    });

    it('returns the sealed viewable copy', async () => {
      const account = newAccount();
      const key = newMetrionKey();
      await store.createAccount(account, key);

      expect(await store.getMetrionKey(account.accountId)).toEqual(key);
      expect(await store.getMetrionKey(randomUUID())).toBeUndefined();
    });

    it('stops resolving the old digest as soon as the key is replaced', async () => {
      const account = newAccount();
      const old = newMetrionKey();
      await store.createAccount(account, old);
      const next = newMetrionKey();

      await store.replaceMetrionKey(account.accountId, next);

      expect(await ownerOf(old.digest)).toBeUndefined();
      expect(await ownerOf(next.digest)).toBe(account.accountId);
      expect(await store.getMetrionKey(account.accountId)).toEqual(next);
    });

    it('throws NotFoundError when replacing the key of an unknown account, creating no lookup', async () => {
      const next = newMetrionKey();

      await expect(store.replaceMetrionKey(randomUUID(), next)).rejects.toBeInstanceOf(
        NotFoundError,
      );

      expect(await ownerOf(next.digest)).toBeUndefined();
    });

    it('fails closed when the new digest belongs to another account', async () => {
      // Arrange
      const victim = newAccount();
      const victimKey = newMetrionKey();
      await store.createAccount(victim, victimKey);
      const account = newAccount();
      const old = newMetrionKey();
      await store.createAccount(account, old);

      // Act
      await expectMetrionError(
        store.replaceMetrionKey(account.accountId, victimKey),
        'metrion_key_conflict',
      );

      // Assert: no key works for the account, the victim keeps theirs, a fresh key recovers
      expect(await ownerOf(old.digest)).toBeUndefined();
      expect(await ownerOf(victimKey.digest)).toBe(victim.accountId);
      const fresh = newMetrionKey();
      await store.replaceMetrionKey(account.accountId, fresh);
      expect(await ownerOf(fresh.digest)).toBe(account.accountId);
      expect(await ownerOf(victimKey.digest)).toBe(victim.accountId);
    });
  });

  describe('proxy view', () => {
    it('returns the account without a provider key when none is stored', async () => {
      const account = newAccount();
      const metrionKey = newMetrionKey();
      await store.createAccount(account, metrionKey);
      await store.putProviderKey(providerKey(account.accountId, 'openai'));

      const view = await proxyViewOf(admission, metrionKey.digest, 'anthropic');

      expect(view).toEqual({ account });
      expect(view?.providerKey).toBeUndefined();
    });

    it('returns the account with the key of the requested provider', async () => {
      const account = newAccount();
      const metrionKey = newMetrionKey();
      await store.createAccount(account, metrionKey);
      const anthropic = providerKey(account.accountId, 'anthropic');
      await store.putProviderKey(anthropic);
      await store.putProviderKey(providerKey(account.accountId, 'openai'));

      expect(await proxyViewOf(admission, metrionKey.digest, 'anthropic')).toEqual({
        account,
        providerKey: anthropic,
      });
    });

    it('admits no unknown digest, even if provider keys exist for an unknown account', async () => {
      await store.putProviderKey(providerKey(randomUUID(), 'openai'));

      expect(await proxyViewOf(admission, newMetrionKey().digest)).toBeUndefined();
    });

    it('shows a plan change on the next admission', async () => {
      const account = newAccount();
      const metrionKey = newMetrionKey();
      await store.createAccount(account, metrionKey);

      await store.updateProfile(account.accountId, { plan: 'pro', displayName: 'Pro' });

      expect((await proxyViewOf(admission, metrionKey.digest))?.account).toEqual({
        ...account,
        plan: 'pro',
        displayName: 'Pro',
      });
    });
  });

  describe('profile', () => {
    it('updates only the given fields and returns the updated account', async () => {
      const account = newAccount();
      const key = newMetrionKey();
      await store.createAccount(account, key);

      const updated = await store.updateProfile(account.accountId, {
        displayName: 'Grace Hopper',
        plan: 'pro',
      });

      const expected: Account = { ...account, displayName: 'Grace Hopper', plan: 'pro' };
      expect(updated).toEqual(expected);
      expect(await store.getAccount(account.accountId)).toEqual(expected);
      expect(await store.getMetrionKey(account.accountId)).toEqual(key);
      expect(await ownerOf(key.digest)).toBe(account.accountId);
    });

    it('returns the unchanged account for an empty change set', async () => {
      const account = newAccount();
      await store.createAccount(account, newMetrionKey());

      expect(await store.updateProfile(account.accountId, {})).toEqual(account);
    });

    it('throws NotFoundError for an unknown account and creates nothing', async () => {
      const accountId = randomUUID();

      await expect(store.updateProfile(accountId, { currency: 'CHF' })).rejects.toBeInstanceOf(
        NotFoundError,
      );
      await expect(store.updateProfile(accountId, {})).rejects.toBeInstanceOf(NotFoundError);
      expect(await store.getAccount(accountId)).toBeUndefined();
    });
  });

  describe('provider keys', () => {
    it('lists the keys of one account ordered by provider id', async () => {
      const account = newAccount();
      await store.createAccount(account, newMetrionKey());
      const keys = (['openai', 'anthropic', 'mistral'] as const).map((provider) =>
        providerKey(account.accountId, provider),
      );
      for (const key of keys) await store.putProviderKey(key);
      await store.putProviderKey(providerKey(randomUUID(), 'gemini'));

      const listed = await store.listProviderKeys(account.accountId);

      expect(listed.map((key) => key.provider)).toEqual(['anthropic', 'mistral', 'openai']);
      expect(listed).toEqual([keys[1], keys[2], keys[0]]);
      expect(await store.listProviderKeys(randomUUID())).toEqual([]);
    });

    it('replaces the key of a provider that already has one', async () => {
      const account = newAccount();
      const metrionKey = newMetrionKey();
      await store.createAccount(account, metrionKey);
      await store.putProviderKey(providerKey(account.accountId, 'openai'));
      const replacement = providerKey(account.accountId, 'openai');

      await store.putProviderKey(replacement);

      expect(await store.listProviderKeys(account.accountId)).toEqual([replacement]);
      expect((await proxyViewOf(admission, metrionKey.digest))?.providerKey).toEqual(replacement);
    });

    it('deletes a key, reporting whether there was one', async () => {
      const account = newAccount();
      const metrionKey = newMetrionKey();
      await store.createAccount(account, metrionKey);
      const grok = providerKey(account.accountId, 'grok');
      await store.putProviderKey(grok);
      await store.putProviderKey(providerKey(account.accountId, 'mistral'));

      expect(await store.deleteProviderKey(account.accountId, 'mistral')).toBe(true);
      expect(await store.deleteProviderKey(account.accountId, 'mistral')).toBe(false);
      expect(await store.deleteProviderKey(account.accountId, 'gemini')).toBe(false);

      expect(await store.listProviderKeys(account.accountId)).toEqual([grok]);
      expect(await proxyViewOf(admission, metrionKey.digest, 'mistral')).toEqual({ account });
      expect((await proxyViewOf(admission, metrionKey.digest, 'grok'))?.providerKey).toEqual(grok);
    });
  });
}
