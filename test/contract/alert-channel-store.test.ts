import { afterAll, beforeAll, describe } from 'vitest';
import { DynamoAlertChannelStore } from '#adapters/dynamodb/dynamo-alert-channel-store.ts';
import { InMemoryAlertChannelStore } from '../fakes/in-memory-alert-channel-store.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../fixtures/dynalite.ts';
import { alertChannelStoreContract } from './alert-channel-store.contract.ts';

describe('InMemoryAlertChannelStore', () => {
  alertChannelStoreContract(async () => new InMemoryAlertChannelStore());
});

describe('DynamoAlertChannelStore on dynalite', () => {
  let fixture: DynaliteFixture;
  beforeAll(async () => {
    fixture = await startDynaliteFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });

  alertChannelStoreContract(
    async () =>
      new DynamoAlertChannelStore({
        client: fixture.documentClient,
        tableName: fixture.tableNames.accounts,
      }),
  );
});
