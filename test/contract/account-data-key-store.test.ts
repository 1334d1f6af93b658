import { afterAll, beforeAll, describe } from 'vitest';
import { DynamoAccountDataKeyStore } from '#adapters/dynamodb/dynamo-account-data-key-store.ts';
import { InMemoryAccountDataKeyStore } from '../fakes/in-memory-account-data-key-store.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../fixtures/dynalite.ts';
import { accountDataKeyStoreContract } from './account-data-key-store.contract.ts';

describe('InMemoryAccountDataKeyStore', () => {
  accountDataKeyStoreContract(() => new InMemoryAccountDataKeyStore());
});

describe('DynamoAccountDataKeyStore on dynalite', () => {
  let fixture: DynaliteFixture;
  beforeAll(async () => {
    fixture = await startDynaliteFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });

  accountDataKeyStoreContract(
    () =>
      new DynamoAccountDataKeyStore({
        client: fixture.documentClient,
        tableName: fixture.tableNames.accounts,
      }),
  );
});
