import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError } from '#core/errors.ts';
import type { AccountStore } from '#core/ports/account-store.ts';
import type { MetrionKeyStore } from '#core/ports/metrion-key-store.ts';
import type { ProxyAdmission } from '#core/ports/proxy-admission.ts';
import {
  type AccountPorts,
  expectMetrionError,
  newAccount,
  newMetrionKey,
} from '../fixtures/account-stores.ts';
import { proxyViewOf } from '../fixtures/admission.ts';

/**
 * The MetrionKeyStore contract: every implementation (in-memory fake, DynamoMetrionKeyStore)
 * must pass it. Accounts are created through the paired AccountStore; what the proxy resolves is
 * checked through the paired ProxyAdmission.
 */
export function metrionKeyStoreContract(
  createPorts: () => AccountPorts | Promise<AccountPorts>,
): void {
  let accounts: AccountStore;
  let store: MetrionKeyStore;
  let admission: ProxyAdmission;

  beforeEach(async () => {
    ({ accounts, metrionKeys: store, admission } = await createPorts());
  });

  /** The account a Metrion Key digest admits now, as the proxy would resolve it. */
  const ownerOf = async (digest: string) =>
    (await proxyViewOf(admission, digest))?.account.accountId;

  describe('Metrion Key', () => {
    it('resolves the digest to its account, and an unknown digest to undefined', async () => {
      const account = newAccount();
      const key = newMetrionKey();
      await accounts.createAccount(account, key);

      expect(await ownerOf(key.digest)).toBe(account.accountId);
      expect(await ownerOf(newMetrionKey().digest)).toBeUndefined();
    });

    it('returns the sealed viewable copy', async () => {
      const account = newAccount();
      const key = newMetrionKey();
      await accounts.createAccount(account, key);

      expect(await store.getMetrionKey(account.accountId)).toEqual(key);
      expect(await store.getMetrionKey(randomUUID())).toBeUndefined();
    });

    it('stops resolving the old digest as soon as the key is replaced', async () => {
      const account = newAccount();
      const old = newMetrionKey();
      await accounts.createAccount(account, old);
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
      await accounts.createAccount(victim, victimKey);
      const account = newAccount();
      const old = newMetrionKey();
      await accounts.createAccount(account, old);

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
}
