import { afterAll, beforeAll, describe } from 'vitest';
import { dynamoAlertPorts, inMemoryAlertPorts } from '../fixtures/alert-stores.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../fixtures/dynalite.ts';
import { alertTestClaimStoreContract } from './alert-test-claim-store.contract.ts';

describe('InMemoryAlertRuleStore as AlertTestClaimStore', () => {
  alertTestClaimStoreContract(async () => inMemoryAlertPorts());
});

describe('DynamoAlertTestClaimStore on dynalite', () => {
  let fixture: DynaliteFixture;
  beforeAll(async () => {
    fixture = await startDynaliteFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });

  alertTestClaimStoreContract(async () =>
    dynamoAlertPorts({ client: fixture.documentClient, tableName: fixture.tableNames.accounts }),
  );
});
