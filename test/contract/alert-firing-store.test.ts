import { afterAll, beforeAll, describe } from 'vitest';
import { dynamoAlertPorts, inMemoryAlertPorts } from '../fixtures/alert-stores.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../fixtures/dynalite.ts';
import { alertFiringStoreContract } from './alert-firing-store.contract.ts';

describe('InMemoryAlertRuleStore as AlertFiringStore', () => {
  alertFiringStoreContract(async () => inMemoryAlertPorts());
});

describe('DynamoAlertFiringStore on dynalite', () => {
  let fixture: DynaliteFixture;
  beforeAll(async () => {
    fixture = await startDynaliteFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });

  alertFiringStoreContract(async () =>
    dynamoAlertPorts({ client: fixture.documentClient, tableName: fixture.tableNames.accounts }),
  );
});
