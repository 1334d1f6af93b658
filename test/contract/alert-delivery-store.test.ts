import { afterAll, beforeAll, describe } from 'vitest';
import { DynamoAlertDeliveryStore } from '#adapters/dynamodb/dynamo-alert-delivery-store.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { InMemoryAlertDeliveryStore } from '../fakes/in-memory-alert-delivery-store.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../fixtures/dynalite.ts';
import { alertDeliveryStoreContract } from './alert-delivery-store.contract.ts';

const START_MS = Date.parse('2026-11-12T10:00:00.000Z');

describe('InMemoryAlertDeliveryStore', () => {
  alertDeliveryStoreContract(async () => {
    const clock = new FakeClock({ startMs: START_MS });
    return { store: new InMemoryAlertDeliveryStore(clock), clock };
  });
});

describe('DynamoAlertDeliveryStore on dynalite', () => {
  let fixture: DynaliteFixture;
  beforeAll(async () => {
    fixture = await startDynaliteFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });

  alertDeliveryStoreContract(async () => {
    const clock = new FakeClock({ startMs: START_MS });
    const store = new DynamoAlertDeliveryStore({
      client: fixture.documentClient,
      tableName: fixture.tableNames.accounts,
      clock,
    });
    return { store, clock };
  });
});
