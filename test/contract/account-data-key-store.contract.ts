import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AccountDataKeyStore } from '#core/ports/account-data-key-store.ts';

/** The behaviour every AccountDataKeyStore must have. */
export function accountDataKeyStoreContract(createStore: () => AccountDataKeyStore): void {
  describe('AccountDataKeyStore contract', () => {
    it('has no key for an account before its first', async () => {
      expect(await createStore().getAccountDataKey(randomUUID())).toBeUndefined();
    });

    it('keeps the first key and returns it to every later put', async () => {
      const store = createStore();
      const accountId = randomUUID();

      const first = await store.putAccountDataKeyIfAbsent(accountId, 'Zmlyc3Q=');
      const second = await store.putAccountDataKeyIfAbsent(accountId, 'c2Vjb25k');

      expect(first).toBe('Zmlyc3Q=');
      expect(second).toBe('Zmlyc3Q=');
      expect(await store.getAccountDataKey(accountId)).toBe('Zmlyc3Q=');
    });

    it('gives concurrent first puts one and the same key', async () => {
      const store = createStore();
      const accountId = randomUUID();

      const kept = await Promise.all(
        ['a2V5MQ==', 'a2V5Mg==', 'a2V5Mw=='].map((key) =>
          store.putAccountDataKeyIfAbsent(accountId, key),
        ),
      );

      expect(new Set(kept).size).toBe(1);
      expect(await store.getAccountDataKey(accountId)).toBe(kept[0]);
    });

    it('keeps each account apart', async () => {
      const store = createStore();
      const [one, two] = [randomUUID(), randomUUID()];

      await store.putAccountDataKeyIfAbsent(one, 'b25l');
      await store.putAccountDataKeyIfAbsent(two, 'dHdv');

      expect(await store.getAccountDataKey(one)).toBe('b25l');
      expect(await store.getAccountDataKey(two)).toBe('dHdv');
    });
  });
}
