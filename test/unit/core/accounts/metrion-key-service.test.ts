import { describe, expect, it } from 'vitest';
import type { StoredMetrionKey } from '#core/accounts/account.ts';
import { createMetrionKeyService, sealMetrionKey } from '#core/accounts/metrion-key-service.ts';
import { MetrionKeyConflictError } from '#core/errors.ts';
import { createSecretVault } from '#core/vault/secret-vault.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';
import { FixedRandom } from '../../../fakes/fixed-random.ts';
import { InMemoryAccountDataKeyStore } from '../../../fakes/in-memory-account-data-key-store.ts';
import { InMemoryAccountStore } from '../../../fakes/in-memory-account-store.ts';
import { InMemoryDataKeyProvider } from '../../../fakes/in-memory-data-key-provider.ts';
import { testAccount } from '../../../fixtures/account.ts';

async function keysOf() {
  const store = new InMemoryAccountStore();
  const random = new FixedRandom({ seed: 'keys' });
  const vault = createSecretVault({
    dataKeyProvider: new InMemoryDataKeyProvider(),
    accountDataKeys: new InMemoryAccountDataKeyStore(),
    random,
    clock: new FakeClock(),
  });
  const deps = { metrionKeys: store, vault, random, pepper: new Uint8Array(32) };
  await store.createAccount(
    testAccount('acc_1'),
    await sealMetrionKey(deps, 'acc_1', 'sk-metrion-first'),
  );
  return { store, service: createMetrionKeyService(deps) };
}

describe('regenerating the Metrion Key while another regeneration holds the account', () => {
  it("gives the caller that lost the race the winner's key, which is the account's", async () => {
    // Arrange: the store lets the first replacement through and makes the second wait for it and
    // lose, as the lease does when two regenerations overlap.
    const { store, service } = await keysOf();
    const replace = store.replaceMetrionKey.bind(store);
    let winnerDone: Promise<void> | undefined;
    store.replaceMetrionKey = async (accountId: string, next: StoredMetrionKey) => {
      if (winnerDone === undefined) {
        winnerDone = replace(accountId, next);
        return winnerDone;
      }
      await winnerDone;
      throw new MetrionKeyConflictError();
    };

    // Act
    const [first, second] = await Promise.all([
      service.regenerateMetrionKey('acc_1'),
      service.regenerateMetrionKey('acc_1'),
    ]);

    // Assert
    expect(first).not.toBe('sk-metrion-first');
    expect(second).toBe(first);
    expect(await service.revealMetrionKey('acc_1')).toBe(first);
  });

  it('passes on failures other than a lost race', async () => {
    const { store, service } = await keysOf();
    store.replaceMetrionKey = async () => {
      throw new Error('store down');
    };
    await expect(service.regenerateMetrionKey('acc_1')).rejects.toThrow('store down');
  });
});
