import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAccountDataKeyStore } from '#adapters/dynamodb/dynamo-account-data-key-store.ts';
import { DynamoProviderKeyStore } from '#adapters/dynamodb/dynamo-provider-key-store.ts';
import { CryptoRandom } from '#adapters/system/crypto-random.ts';
import { SystemClock } from '#adapters/system/system-clock.ts';
import type { SealedSecret } from '#core/vault/sealed-secret.ts';
import { createSecretVault, providerKeyContext } from '#core/vault/secret-vault.ts';
import { runAdminCommand } from '#local/admin-commands.ts';
import { type LocalData, openLocalData } from '#local/local-data.ts';
import { startDynalite } from '#local/stand-ins.ts';
import { sealVersion1 } from '../../fixtures/sealed-v1.ts';

const OPENAI_KEY = 'sk-proj-0123456789abcdefghijklmnopqrstuv';

let dynalite: Awaited<ReturnType<typeof startDynalite>>;
let data: LocalData;
beforeAll(async () => {
  dynalite = await startDynalite();
  data = await openLocalData({ dynamoEndpoint: dynalite.endpoint });
});
afterAll(async () => {
  await dynalite?.close();
});

const admin = (command: string) =>
  runAdminCommand(data, { command, options: {}, readStdin: async () => '' });

describe('npm run admin -- migrate-secrets', () => {
  it('re-seals a key stored with a data key of its own; the proxy key still opens', async () => {
    // Arrange: a new account (sealed today) whose OpenAI key was stored the old way
    const { account } = await data.accountService.createAccount({ email: 'migrate@example.com' });
    const providerKeys = new DynamoProviderKeyStore({
      client: data.documentClient,
      tableName: data.accountsTable,
    });
    const context = providerKeyContext(account.accountId, 'openai');
    await providerKeys.putProviderKey({
      accountId: account.accountId,
      provider: 'openai',
      sealed: await sealVersion1(data.dataKeyProvider, OPENAI_KEY, context),
      createdAt: '2026-11-24T11:00:00.000Z',
    });

    // Act
    const output = await admin('migrate-secrets');
    const again = await admin('migrate-secrets');

    // Assert
    expect(output).toBe(
      "Re-sealed 1 of 2 stored secrets under their account's data key; 0 changed meanwhile (left as saved).",
    );
    expect(again).toContain('Re-sealed 0 of 2');
    const [stored] = await providerKeys.listProviderKeys(account.accountId);
    expect(stored?.sealed.version).toBe(2);
    const vault = createSecretVault({
      dataKeyProvider: data.dataKeyProvider,
      accountDataKeys: new DynamoAccountDataKeyStore({
        client: data.documentClient,
        tableName: data.accountsTable,
      }),
      random: new CryptoRandom(),
      clock: new SystemClock(),
    });
    await expect(vault.open(stored?.sealed as SealedSecret, context)).resolves.toBe(OPENAI_KEY);
    expect(
      (await data.accountService.revealMetrionKey(account.accountId)).startsWith('sk-metrion-'),
    ).toBe(true);
  });
});
