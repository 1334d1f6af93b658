// The alert-rule counter of an account whose rules predate it, created by one writer while
// another's create is between its refused reservation and its look at the counter: on dynalite,
// with that interleaving forced, so the outcome does not depend on how busy the machine is.
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAlertRuleStore } from '#adapters/dynamodb/dynamo-alert-rule-store.ts';
import type { AlertRule } from '#core/alerts/alert-rule.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../fixtures/dynalite.ts';
import { faultyDocumentClient } from '../fixtures/dynamodb-faults.ts';

let fixture: DynaliteFixture;
beforeAll(async () => {
  fixture = await startDynaliteFixture();
});
afterAll(async () => {
  await fixture.close();
});

const ACCOUNT_ID = 'acct-counter-race';
const COUNTER_KEY = { pk: `ACCOUNT#${ACCOUNT_ID}`, sk: 'ALERT_RULES' };

const rule = (i: number): AlertRule => ({
  accountId: ACCOUNT_ID,
  ruleId: `rule_${i}`,
  type: 'request_volume',
  threshold: 100,
  paused: false,
  createdAt: `2026-03-10T12:00:0${i}.000Z`,
  lastFired: {},
  state: 'ok',
});

/** A store whose first read of the counter waits until `beforeFirstCounterRead` has run. */
function storeWithHookBeforeCounterRead(beforeFirstCounterRead: () => Promise<unknown>) {
  let hooked = false;
  const client = faultyDocumentClient(fixture.endpoint, () => undefined);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Key?: unknown };
      const readsCounter =
        context.commandName === 'GetItemCommand' &&
        JSON.stringify(input.Key).includes('ALERT_RULES"');
      if (readsCounter && !hooked) {
        hooked = true;
        await beforeFirstCounterRead();
      }
      return next(args);
    },
    { step: 'initialize', name: 'beforeFirstCounterRead' },
  );
  return new DynamoAlertRuleStore({ client, tableName: fixture.tableNames.accounts });
}

describe('DynamoAlertRuleStore counter created by another writer mid-create', () => {
  it('admits the create when the counter that appeared has room', async () => {
    // Arrange: two rules stored before the counter existed, room for four
    const table = { client: fixture.documentClient, tableName: fixture.tableNames.accounts };
    const other = new DynamoAlertRuleStore(table);
    for (const i of [0, 1]) expect(await other.create(rule(i), 50)).toBe(true);
    await fixture.documentClient.send(
      new DeleteCommand({ TableName: fixture.tableNames.accounts, Key: COUNTER_KEY }),
    );
    // A delete of a rule that does not exist creates the counter (2) and changes nothing else.
    const store = storeWithHookBeforeCounterRead(() => other.delete(ACCOUNT_ID, 'rule_none'));

    // Act: the create's reservation finds no counter; the counter appears before it looks
    const created = await store.create(rule(2), 4);

    // Assert: not refused as full: the rule is stored and counted
    expect(created).toBe(true);
    expect((await other.list(ACCOUNT_ID)).map((stored) => stored.ruleId)).toEqual([
      'rule_0',
      'rule_1',
      'rule_2',
    ]);
    const fill = await Promise.all([3, 4].map((i) => other.create(rule(i), 4)));
    expect(fill.filter(Boolean)).toHaveLength(1);
  });
});
