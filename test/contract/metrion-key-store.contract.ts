import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NotFoundError } from '#core/errors.ts';
import {
  type AccountPorts,
  expectMetrionError,
  newAccount,
  newMetrionKey,
  ownerOf,
} from '../fixtures/account-stores.ts';
import { freshForEachTest } from '../fixtures/each-test.ts';

/**
 * The MetrionKeyStore contract: every implementation (in-memory fake, DynamoMetrionKeyStore)
 * must pass it. Accounts are created through the paired AccountStore; what the proxy resolves is
 * checked through the paired ProxyAdmission.
 */
export function metrionKeyStoreContract(
  createPorts: () => AccountPorts | Promise<AccountPorts>,
): void {
  const ports = freshForEachTest(createPorts);

  describe('Metrion Key', () => {
    it('resolves the digest to its account, and an unknown digest to undefined', async () => {
      const account = newAccount();
      const key = newMetrionKey();
      await ports.accounts.createAccount(account, key);

      expect(await ownerOf(ports.admission, key.digest)).toBe(account.accountId);
      expect(await ownerOf(ports.admission, newMetrionKey().digest)).toBeUndefined();
    });

    it('returns the sealed viewable copy', async () => {
      const account = newAccount();
      const key = newMetrionKey();
      await ports.accounts.createAccount(account, key);

      expect(await ports.metrionKeys.getMetrionKey(account.accountId)).toEqual(key);
      expect(await ports.metrionKeys.getMetrionKey(randomUUID())).toBeUndefined();
    });

    it('stops resolving the old digest as soon as the key is replaced', async () => {
      const account = newAccount();
      const old = newMetrionKey();
      await ports.accounts.createAccount(account, old);
      const next = newMetrionKey();

      await ports.metrionKeys.replaceMetrionKey(account.accountId, next);

      expect(await ownerOf(ports.admission, old.digest)).toBeUndefined();
      expect(await ownerOf(ports.admission, next.digest)).toBe(account.accountId);
      expect(await ports.metrionKeys.getMetrionKey(account.accountId)).toEqual(next);
    });

    it('throws NotFoundError when replacing the key of an unknown account, creating no lookup', async () => {
      const next = newMetrionKey();

      await expect(ports.metrionKeys.replaceMetrionKey(randomUUID(), next)).rejects.toBeInstanceOf(
        NotFoundError,
      );

      expect(await ownerOf(ports.admission, next.digest)).toBeUndefined();
    });

    it('fails closed when the new digest belongs to another account', async () => {
      // Arrange
      const victim = newAccount();
      const victimKey = newMetrionKey();
      await ports.accounts.createAccount(victim, victimKey);
      const account = newAccount();
      const old = newMetrionKey();
      await ports.accounts.createAccount(account, old);

      // Act
      await expectMetrionError(
        ports.metrionKeys.replaceMetrionKey(account.accountId, victimKey),
        'metrion_key_conflict',
      );

      // Assert: no key works for the account, the victim keeps theirs, a fresh key recovers
      expect(await ownerOf(ports.admission, old.digest)).toBeUndefined();
      expect(await ownerOf(ports.admission, victimKey.digest)).toBe(victim.accountId);
      const fresh = newMetrionKey();
      await ports.metrionKeys.replaceMetrionKey(account.accountId, fresh);
      expect(await ownerOf(ports.admission, fresh.digest)).toBe(account.accountId);
      expect(await ownerOf(ports.admission, victimKey.digest)).toBe(victim.accountId);
    });
  });
}
