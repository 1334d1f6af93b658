import { describe, expect, it } from 'vitest';
import type { SealedSecretStore } from '#core/ports/sealed-secret-store.ts';
import { migrateSealedSecrets } from '#core/vault/migrate-sealed-secrets.ts';
import type { SealedSecret } from '#core/vault/sealed-secret.ts';
import {
  accountDataKeyContext,
  createSecretVault,
  metrionKeyContext,
  providerKeyContext,
} from '#core/vault/secret-vault.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';
import { FixedRandom } from '../../../fakes/fixed-random.ts';
import { InMemoryAccountDataKeyStore } from '../../../fakes/in-memory-account-data-key-store.ts';
import { InMemoryAccountStore } from '../../../fakes/in-memory-account-store.ts';
import { InMemoryDataKeyProvider } from '../../../fakes/in-memory-data-key-provider.ts';
import { testAccount } from '../../../fixtures/account.ts';
import { sealVersion1 } from '../../../fixtures/sealed-v1.ts';

const METRION_KEY = 'sk-metrion-0123456789abcdefghijklmnop';
const OPENAI_KEY = 'sk-openai-0123456789abcdefghij';

/** An account whose Metrion Key copy and OpenAI key were sealed with a data key each. */
async function legacyAccount(accountId = 'acc_1') {
  const dataKeys = new InMemoryDataKeyProvider();
  const accounts = new InMemoryAccountStore();
  const vault = createSecretVault({
    dataKeyProvider: dataKeys,
    accountDataKeys: new InMemoryAccountDataKeyStore(),
    random: new FixedRandom({ seed: 'migrate' }),
    clock: new FakeClock(),
  });
  await accounts.createAccount(testAccount(accountId), {
    digest: 'digest-1',
    sealed: await sealVersion1(dataKeys, METRION_KEY, metrionKeyContext(accountId)),
  });
  await accounts.putProviderKey({
    accountId,
    provider: 'openai',
    sealed: await sealVersion1(dataKeys, OPENAI_KEY, providerKeyContext(accountId, 'openai')),
    createdAt: '2026-11-24T11:00:00.000Z',
  });
  return { accounts, vault, dataKeys };
}

describe('migrateSealedSecrets', () => {
  it('re-seals version 1 secrets under the account data key; they open to the same text', async () => {
    const { accounts, vault } = await legacyAccount();

    const result = await migrateSealedSecrets({ secrets: accounts, vault });

    expect(result).toEqual({ considered: 2, migrated: 2, changedMeanwhile: 0, unreadable: [] });
    const metrionKey = (await accounts.getMetrionKey('acc_1'))?.sealed;
    const [openai] = await accounts.listProviderKeys('acc_1');
    expect([metrionKey?.version, openai?.sealed.version]).toEqual([2, 2]);
    expect(openai?.sealed.encryptedDataKey).toBe(metrionKey?.encryptedDataKey);
    await expect(
      vault.open(openai?.sealed as SealedSecret, providerKeyContext('acc_1', 'openai')),
    ).resolves.toBe(OPENAI_KEY);
    await expect(vault.open(metrionKey as SealedSecret, metrionKeyContext('acc_1'))).resolves.toBe(
      METRION_KEY,
    );
  });

  it('leaves current secrets alone, so a second run migrates nothing', async () => {
    const { accounts, vault, dataKeys } = await legacyAccount();
    await migrateSealedSecrets({ secrets: accounts, vault });
    const generated: unknown[] = [];
    const generate = dataKeys.generateDataKey.bind(dataKeys);
    dataKeys.generateDataKey = async (context) => {
      generated.push(context);
      return generate(context);
    };

    const second = await migrateSealedSecrets({ secrets: accounts, vault });

    expect(second).toEqual({ considered: 2, migrated: 0, changedMeanwhile: 0, unreadable: [] });
    expect(generated).toEqual([]);
  });

  it('never overwrites a key its owner saved while the run held it', async () => {
    // Arrange: the owner saves a new OpenAI key between the listing and the rewrite
    const { accounts, vault } = await legacyAccount();
    const saved = await vault.seal(
      'sk-openai-saved-by-the-owner-0123',
      providerKeyContext('acc_1', 'openai'),
    );
    const racing: SealedSecretStore = {
      listSealedSecrets: () => accounts.listSealedSecrets(),
      async replaceSealedSecret(secret, next) {
        if (secret.provider === 'openai') {
          await accounts.putProviderKey({
            accountId: 'acc_1',
            provider: 'openai',
            sealed: saved,
            createdAt: '2026-11-24T12:00:00.000Z',
          });
        }
        return accounts.replaceSealedSecret(secret, next);
      },
    };

    // Act
    const result = await migrateSealedSecrets({ secrets: racing, vault });

    // Assert
    expect(result).toMatchObject({ migrated: 1, changedMeanwhile: 1 });
    expect((await accounts.listProviderKeys('acc_1'))[0]?.sealed).toEqual(saved);
  });

  it('reports a secret that does not open and migrates the rest', async () => {
    const { accounts, vault } = await legacyAccount();
    const [openai] = await accounts.listProviderKeys('acc_1');
    await accounts.putProviderKey({
      ...(openai as NonNullable<typeof openai>),
      sealed: {
        ...(openai?.sealed as NonNullable<typeof openai>['sealed']),
        authTag: 'AAAAAAAAAAAAAAAAAAAAAA==',
      },
    });

    const result = await migrateSealedSecrets({ secrets: accounts, vault });

    expect(result).toEqual({
      considered: 2,
      migrated: 1,
      changedMeanwhile: 0,
      unreadable: [{ accountId: 'acc_1', secret: 'openai' }],
    });
    expect((await accounts.listProviderKeys('acc_1'))[0]?.sealed.version).toBe(1);
  });

  it('creates each account’s data key under the account context only', async () => {
    const { accounts, vault, dataKeys } = await legacyAccount();
    const contexts: unknown[] = [];
    const generate = dataKeys.generateDataKey.bind(dataKeys);
    dataKeys.generateDataKey = async (context) => {
      contexts.push(context);
      return generate(context);
    };

    await migrateSealedSecrets({ secrets: accounts, vault });

    expect(contexts).toEqual([accountDataKeyContext('acc_1')]);
  });
});
