import { afterAll, beforeAll, describe } from 'vitest';
import { DynamoAccountEmailIndex } from '#adapters/dynamodb/dynamo-account-email-index.ts';
import { InMemoryAccountEmailIndex } from '../fakes/in-memory-account-email-index.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../fixtures/dynalite.ts';
import { accountEmailIndexContract } from './account-email-index.contract.ts';

describe('InMemoryAccountEmailIndex', () => {
  accountEmailIndexContract(() => new InMemoryAccountEmailIndex());
});

describe('DynamoAccountEmailIndex on dynalite', () => {
  let fixture: DynaliteFixture;
  beforeAll(async () => {
    fixture = await startDynaliteFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });

  accountEmailIndexContract(
    () =>
      new DynamoAccountEmailIndex({
        client: fixture.documentClient,
        tableName: fixture.tableNames.accounts,
      }),
  );
});
