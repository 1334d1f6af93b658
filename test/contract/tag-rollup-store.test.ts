import { afterAll, beforeAll, describe } from 'vitest';
import { DynamoRollupStore } from '#adapters/dynamodb/dynamo-rollup-store.ts';
import { DynamoUsageStore } from '#adapters/dynamodb/dynamo-usage-store.ts';
import { InMemoryRollupStore } from '../fakes/in-memory-rollup-store.ts';
import { InMemoryUsageStore } from '../fakes/in-memory-usage-store.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../fixtures/dynalite.ts';
import { tagRollupStoreContract } from './tag-rollup-store.contract.ts';

describe('InMemoryRollupStore (tag rollups)', () => {
  tagRollupStoreContract(async (clock) => {
    const usage = new InMemoryUsageStore({ clock });
    return { usage, rollups: new InMemoryRollupStore({ usage, clock }) };
  });
});

describe('DynamoRollupStore (tag rollups) on dynalite', () => {
  let fixture: DynaliteFixture;
  beforeAll(async () => {
    fixture = await startDynaliteFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });

  tagRollupStoreContract(async (clock) => {
    const options = { client: fixture.documentClient, tableName: fixture.tableNames.usage, clock };
    return { usage: new DynamoUsageStore(options), rollups: new DynamoRollupStore(options) };
  });
});
