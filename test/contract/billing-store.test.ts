import { afterAll, beforeAll, describe } from 'vitest';
import { DynamoAccountStore } from '#adapters/dynamodb/dynamo-account-store.ts';
import { DynamoBillingStore } from '#adapters/dynamodb/dynamo-billing-store.ts';
import { DynamoProxyAdmission } from '#adapters/dynamodb/dynamo-proxy-admission.ts';
import { InMemoryAccountStore } from '../fakes/in-memory-account-store.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../fixtures/dynalite.ts';
import { billingStoreContract } from './billing-store.contract.ts';

describe('InMemoryAccountStore as BillingStore', () => {
  billingStoreContract(() => {
    const store = new InMemoryAccountStore();
    return { accounts: store, billing: store, admission: store };
  });
});

describe('DynamoBillingStore on dynalite', () => {
  let fixture: DynaliteFixture;
  beforeAll(async () => {
    fixture = await startDynaliteFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });

  billingStoreContract(() => {
    const table = { client: fixture.documentClient, tableName: fixture.tableNames.accounts };
    return {
      accounts: new DynamoAccountStore(table),
      billing: new DynamoBillingStore(table),
      admission: new DynamoProxyAdmission(table),
    };
  });
});
