import { afterAll, beforeAll, describe } from 'vitest';
import { dynamoAccountPorts, inMemoryAccountPorts } from '../fixtures/account-stores.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../fixtures/dynalite.ts';
import { providerKeyStoreContract } from './provider-key-store.contract.ts';

describe('InMemoryAccountStore as ProviderKeyStore', () => {
  providerKeyStoreContract(() => inMemoryAccountPorts());
});

describe('DynamoProviderKeyStore on dynalite', () => {
  let fixture: DynaliteFixture;
  beforeAll(async () => {
    fixture = await startDynaliteFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });

  providerKeyStoreContract(() =>
    dynamoAccountPorts({ client: fixture.documentClient, tableName: fixture.tableNames.accounts }),
  );
});
