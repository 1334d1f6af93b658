import { afterAll, beforeAll, describe } from 'vitest';
import { DynamoAccountStore } from '#adapters/dynamodb/dynamo-account-store.ts';
import { DynamoBudgetLedger } from '#adapters/dynamodb/dynamo-budget-ledger.ts';
import { DynamoBudgetStore } from '#adapters/dynamodb/dynamo-budget-store.ts';
import { DynamoMetrionKeyStore } from '#adapters/dynamodb/dynamo-metrion-key-store.ts';
import { DynamoProxyAdmission } from '#adapters/dynamodb/dynamo-proxy-admission.ts';
import { InMemoryAccountStore } from '../fakes/in-memory-account-store.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../fixtures/dynalite.ts';
import { budgetLedgerContract } from './budget-ledger.contract.ts';

describe('InMemoryAccountStore with InMemoryBudgets', () => {
  budgetLedgerContract(() => {
    const store = new InMemoryAccountStore();
    return {
      store,
      metrionKeys: store,
      admission: store,
      budgets: store.budgets,
      ledger: store.budgets,
    };
  });
});

describe('DynamoDB budget adapters on dynalite', () => {
  let fixture: DynaliteFixture;
  let table: { client: DynaliteFixture['documentClient']; tableName: string };

  beforeAll(async () => {
    fixture = await startDynaliteFixture();
    table = { client: fixture.documentClient, tableName: fixture.tableNames.accounts };
  });
  afterAll(async () => {
    await fixture.close();
  });

  budgetLedgerContract(() => ({
    store: new DynamoAccountStore(table),
    metrionKeys: new DynamoMetrionKeyStore(table),
    admission: new DynamoProxyAdmission(table),
    budgets: new DynamoBudgetStore(table),
    ledger: new DynamoBudgetLedger(table),
  }));
});
