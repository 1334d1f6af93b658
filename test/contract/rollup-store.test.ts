import { afterAll, beforeAll, describe } from 'vitest';
import { DynamoRollupStore } from '#adapters/dynamodb/dynamo-rollup-store.ts';
import { DynamoUsageStore } from '#adapters/dynamodb/dynamo-usage-store.ts';
import { InMemoryRollupStore } from '../fakes/in-memory-rollup-store.ts';
import { InMemoryUsageStore } from '../fakes/in-memory-usage-store.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../fixtures/dynalite.ts';
import { rollupStoreContract } from './rollup-store.contract.ts';

describe('InMemoryRollupStore', () => {
  rollupStoreContract(async (clock) => {
    const usage = new InMemoryUsageStore({ clock });
    return { usage, rollups: new InMemoryRollupStore({ usage, clock }) };
  });
});

describe('DynamoRollupStore on dynalite', () => {
  let fixture: DynaliteFixture;
  beforeAll(async () => {
    fixture = await startDynaliteFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });

  rollupStoreContract(async (clock) => ({
    usage: new DynamoUsageStore({
      client: fixture.documentClient,
      tableName: fixture.tableNames.usage,
      clock,
    }),
    rollups: new DynamoRollupStore({
      client: fixture.documentClient,
      tableName: fixture.tableNames.usage,
      clock,
    }),
  }));
});
