import { afterAll, beforeAll, describe } from 'vitest';
import { DynamoPriceVersionStore } from '#adapters/dynamodb/dynamo-price-version-store.ts';
import { ensureTables } from '#local/stand-ins.ts';
import { InMemoryPriceVersionStore } from '../fakes/in-memory-price-version-store.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../fixtures/dynalite.ts';
import { priceVersionStoreContract } from './price-version-store.contract.ts';

describe('InMemoryPriceVersionStore', () => {
  priceVersionStoreContract(async () => new InMemoryPriceVersionStore());
});

describe('DynamoPriceVersionStore on dynalite', () => {
  let fixture: DynaliteFixture;
  beforeAll(async () => {
    fixture = await startDynaliteFixture();
  });
  afterAll(async () => {
    await fixture?.close();
  });

  // Every version lives in one partition: each test gets fresh tables (a new name prefix).
  let prefixes = 0;
  priceVersionStoreContract(async () => {
    prefixes += 1;
    const names = await ensureTables(fixture.client, `prices-${prefixes}`);
    return new DynamoPriceVersionStore({ client: fixture.documentClient, tableName: names.prices });
  });
});
