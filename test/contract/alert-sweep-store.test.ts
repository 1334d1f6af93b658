import { afterAll, beforeAll, describe } from 'vitest';
import { dynamoAlertPorts, inMemoryAlertPorts } from '../fixtures/alert-stores.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../fixtures/dynalite.ts';
import { alertSweepStoreContract } from './alert-sweep-store.contract.ts';

describe('InMemoryAlertRuleStore as AlertSweepStore', () => {
  alertSweepStoreContract(async () => inMemoryAlertPorts());
});

describe('DynamoAlertSweepStore on dynalite', () => {
  let fixture: DynaliteFixture;
  beforeAll(async () => {
    fixture = await startDynaliteFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });

  alertSweepStoreContract(async () =>
    dynamoAlertPorts({ client: fixture.documentClient, tableName: fixture.tableNames.accounts }),
  );
});
