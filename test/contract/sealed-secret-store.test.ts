import { afterAll, beforeAll, describe } from 'vitest';
import { DynamoSealedSecretStore } from '#adapters/dynamodb/dynamo-sealed-secret-store.ts';
import { InMemoryAccountStore } from '../fakes/in-memory-account-store.ts';
import { dynamoAccountPorts, inMemoryAccountPorts } from '../fixtures/account-stores.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../fixtures/dynalite.ts';
import { sealedSecretStoreContract } from './sealed-secret-store.contract.ts';

describe('InMemoryAccountStore as SealedSecretStore', () => {
  sealedSecretStoreContract(() => {
    const store = new InMemoryAccountStore();
    return { ...inMemoryAccountPorts(store), secrets: store };
  });
});

describe('DynamoSealedSecretStore on dynalite', () => {
  let fixture: DynaliteFixture;
  beforeAll(async () => {
    fixture = await startDynaliteFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });

  sealedSecretStoreContract(() => {
    const table = { client: fixture.documentClient, tableName: fixture.tableNames.accounts };
    return {
      ...dynamoAccountPorts(table),
      // Small scan pages, so the listing really crosses pages.
      secrets: new DynamoSealedSecretStore({ ...table, scanPageSize: 3 }),
    };
  });
});
