import { afterAll, beforeAll, describe } from 'vitest';
import { DynamoAccountStore } from '#adapters/dynamodb/dynamo-account-store.ts';
import { DynamoProxyAdmission } from '#adapters/dynamodb/dynamo-proxy-admission.ts';
import { DynamoSealedSecretStore } from '#adapters/dynamodb/dynamo-sealed-secret-store.ts';
import { InMemoryAccountStore } from '../fakes/in-memory-account-store.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../fixtures/dynalite.ts';
import { sealedSecretStoreContract } from './sealed-secret-store.contract.ts';

describe('InMemoryAccountStore as SealedSecretStore', () => {
  sealedSecretStoreContract(() => {
    const store = new InMemoryAccountStore();
    return { accounts: store, admission: store, secrets: store };
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
      accounts: new DynamoAccountStore(table),
      admission: new DynamoProxyAdmission(table),
      // Small scan pages, so the listing really crosses pages.
      secrets: new DynamoSealedSecretStore({ ...table, scanPageSize: 3 }),
    };
  });
});
