import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAlertRuleStore } from '#adapters/dynamodb/dynamo-alert-rule-store.ts';
import { ServiceUnavailableError } from '#core/errors.ts';
import { dynamoAlertPorts, inMemoryAlertPorts, newRule } from '../fixtures/alert-stores.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../fixtures/dynalite.ts';
import { alertRuleStoreContract } from './alert-rule-store.contract.ts';

describe('InMemoryAlertRuleStore', () => {
  alertRuleStoreContract(async () => inMemoryAlertPorts());
});

describe('DynamoAlertRuleStore on dynalite', () => {
  let fixture: DynaliteFixture;
  beforeAll(async () => {
    fixture = await startDynaliteFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });

  alertRuleStoreContract(async () =>
    dynamoAlertPorts({ client: fixture.documentClient, tableName: fixture.tableNames.accounts }),
  );

  it('gives the place back when the rule put fails, and keeps the stored rule', async () => {
    // Arrange: room for two rules; one stored
    const store = new DynamoAlertRuleStore({
      client: fixture.documentClient,
      tableName: fixture.tableNames.accounts,
    });
    const accountId = 'acct-failed-put';
    const stored = { ...newRule(accountId), name: 'Stored' };
    expect(await store.create(stored, 2)).toBe(true);

    // Act: a second rule with the same id (its put is refused)
    const clash = { ...newRule(accountId), ruleId: stored.ruleId, name: 'Clash' };
    const outcome = await store.create(clash, 2).catch((error: unknown) => error);

    // Assert: refused (naming the call that failed), the stored rule untouched, and the second
    // place still free
    expect(outcome).toBeInstanceOf(ServiceUnavailableError);
    expect(outcome).toMatchObject({ operation: 'PutItem' });
    expect(await store.get(accountId, stored.ruleId)).toEqual(stored);
    expect(await store.create(newRule(accountId), 2)).toBe(true);
    expect(await store.create(newRule(accountId), 2)).toBe(false);
  });

  it('counts the rules stored before the counter existed, exactly under concurrency', async () => {
    // Arrange: three rules, then the counter item removed (as for rules created before it).
    const store = new DynamoAlertRuleStore({
      client: fixture.documentClient,
      tableName: fixture.tableNames.accounts,
    });
    const accountId = 'acct-before-counter';
    const rule = (i: number) => ({
      accountId,
      ruleId: `rule_${i}`,
      type: 'request_volume' as const,
      threshold: 100,
      paused: false,
      createdAt: `2026-03-10T12:00:0${i}.000Z`,
      lastFired: {},
      state: 'ok' as const,
    });
    for (const i of [0, 1, 2]) expect(await store.create(rule(i), 50)).toBe(true);
    await fixture.documentClient.send(
      new DeleteCommand({
        TableName: fixture.tableNames.accounts,
        Key: { pk: `ACCOUNT#${accountId}`, sk: 'ALERT_RULES' },
      }),
    );

    // Act: a delete and five creates at once, with room for four rules.
    const [deleted, ...created] = await Promise.all([
      store.delete(accountId, 'rule_0'),
      ...[3, 4, 5, 6, 7].map((i) => store.create(rule(i), 4)),
    ]);

    // Assert: the delete freed its place exactly once, whichever ran first; the room left is
    // exactly what the rules held say.
    expect(deleted).toBe(true);
    const made = created.filter(Boolean).length;
    expect(made).toBeGreaterThanOrEqual(1);
    expect(await store.list(accountId)).toHaveLength(2 + made);
    const fill = await Promise.all([8, 9, 10].map((i) => store.create(rule(i), 4)));
    expect(fill.filter(Boolean)).toHaveLength(2 - made);
    expect(await store.list(accountId)).toHaveLength(4);
  });
});
