import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Account } from '#core/accounts/account.ts';
import { NotFoundError } from '#core/errors.ts';
import {
  type AccountPorts,
  expectMetrionError,
  newAccount,
  newMetrionKey,
  ownerOf,
} from '../fixtures/account-stores.ts';
import { proxyViewOf } from '../fixtures/admission.ts';
import { freshForEachTest } from '../fixtures/each-test.ts';

function accountsSuite(createPorts: () => AccountPorts | Promise<AccountPorts>): void {
  describe('accounts', () => {
    const ports = freshForEachTest(createPorts);

    it('returns a created account, and undefined for an unknown id', async () => {
      const account = newAccount();
      await ports.accounts.createAccount(account, newMetrionKey());

      expect(await ports.accounts.getAccount(account.accountId)).toEqual(account);
      expect(await ports.accounts.getAccount(randomUUID())).toBeUndefined();
    });

    it('rejects a second account with the same id and keeps the first one intact', async () => {
      const first = newAccount();
      const firstKey = newMetrionKey();
      await ports.accounts.createAccount(first, firstKey);
      const secondKey = newMetrionKey();

      await expectMetrionError(
        ports.accounts.createAccount({ ...first, email: 'intruder@example.com' }, secondKey),
        'account_exists',
      );

      expect(await ports.accounts.getAccount(first.accountId)).toEqual(first);
      expect(await ports.metrionKeys.getMetrionKey(first.accountId)).toEqual(firstKey);
      expect(await ownerOf(ports.admission, secondKey.digest)).toBeUndefined();
    });

    it('never takes over a digest that another account owns', async () => {
      const owner = newAccount();
      const key = newMetrionKey();
      await ports.accounts.createAccount(owner, key);
      const other = newAccount();

      await expectMetrionError(ports.accounts.createAccount(other, key), 'metrion_key_conflict');

      expect(await ownerOf(ports.admission, key.digest)).toBe(owner.accountId);
      expect(await ports.accounts.getAccount(other.accountId)).toBeUndefined();
      await ports.accounts.createAccount(other, newMetrionKey());
      expect(await ports.accounts.getAccount(other.accountId)).toEqual(other);
    });
  });
}

function proxyViewSuite(createPorts: () => AccountPorts | Promise<AccountPorts>): void {
  describe('proxy view', () => {
    const ports = freshForEachTest(createPorts);

    it('shows a plan change on the next admission', async () => {
      const account = newAccount();
      const metrionKey = newMetrionKey();
      await ports.accounts.createAccount(account, metrionKey);

      await ports.accounts.updateProfile(account.accountId, { plan: 'pro', displayName: 'Pro' });

      expect((await proxyViewOf(ports.admission, metrionKey.digest))?.account).toEqual({
        ...account,
        plan: 'pro',
        displayName: 'Pro',
      });
    });
  });
}

function profileSuite(createPorts: () => AccountPorts | Promise<AccountPorts>): void {
  describe('profile', () => {
    const ports = freshForEachTest(createPorts);

    it('updates only the given fields and returns the updated account', async () => {
      const account = newAccount();
      const key = newMetrionKey();
      await ports.accounts.createAccount(account, key);

      const updated = await ports.accounts.updateProfile(account.accountId, {
        displayName: 'Grace Hopper',
        plan: 'pro',
      });

      const expected: Account = { ...account, displayName: 'Grace Hopper', plan: 'pro' };
      expect(updated).toEqual(expected);
      expect(await ports.accounts.getAccount(account.accountId)).toEqual(expected);
      expect(await ports.metrionKeys.getMetrionKey(account.accountId)).toEqual(key);
      expect(await ownerOf(ports.admission, key.digest)).toBe(account.accountId);
    });

    it('returns the unchanged account for an empty change set', async () => {
      const account = newAccount();
      await ports.accounts.createAccount(account, newMetrionKey());

      expect(await ports.accounts.updateProfile(account.accountId, {})).toEqual(account);
    });

    it('throws NotFoundError for an unknown account and creates nothing', async () => {
      const accountId = randomUUID();

      await expect(
        ports.accounts.updateProfile(accountId, { currency: 'CHF' }),
      ).rejects.toBeInstanceOf(NotFoundError);
      await expect(ports.accounts.updateProfile(accountId, {})).rejects.toBeInstanceOf(
        NotFoundError,
      );
      expect(await ports.accounts.getAccount(accountId)).toBeUndefined();
    });
  });
}

/**
 * The AccountStore contract: every implementation (in-memory fake, DynamoAccountStore) must
 * pass it. What the proxy sees is checked through the paired ProxyAdmission, the key through the
 * paired MetrionKeyStore. Fresh ports come from `createPorts` before each test; tests use fresh
 * random ids, so a store may be shared.
 */
export function accountStoreContract(
  createPorts: () => AccountPorts | Promise<AccountPorts>,
): void {
  accountsSuite(createPorts);
  proxyViewSuite(createPorts);
  profileSuite(createPorts);
}
