// AlertTestClaimStore on DynamoDB (the `accounts` table): conditional UpdateItem of the rule
// item's `lastTestedAt`, GetItem (consistent) to tell a running cooldown from a missing rule.
import type { AlertTestClaimStore, TestClaim } from '#core/ports/alert-test-claim-store.ts';
import { type AccountsTable, getItem } from './accounts-table.ts';
import { fromItem, type RuleItem, ruleKey } from './alert-rule-items.ts';
import { conditionalUpdate, conditionalUpdateOutput } from './conditional-write.ts';

/** {@link AlertTestClaimStore} on the `accounts` table. */
export class DynamoAlertTestClaimStore implements AlertTestClaimStore {
  readonly #table: AccountsTable;

  constructor(options: AccountsTable) {
    this.#table = { client: options.client, tableName: options.tableName };
  }

  async claimTest(
    accountId: string,
    ruleId: string,
    nowMs: number,
    cooldownMs: number,
  ): Promise<TestClaim | undefined> {
    const output = await conditionalUpdateOutput(this.#table.client, {
      TableName: this.#table.tableName,
      Key: ruleKey(accountId, ruleId),
      UpdateExpression: 'SET lastTestedAt = :now',
      ConditionExpression:
        'attribute_exists(pk) AND (attribute_not_exists(lastTestedAt) OR lastTestedAt <= :edge)',
      ExpressionAttributeValues: {
        ':now': new Date(nowMs).toISOString(),
        ':edge': new Date(nowMs - cooldownMs).toISOString(),
      },
      ReturnValues: 'UPDATED_OLD',
    });
    // `lastTestedAt` is only ever written as an ISO string.
    if (output !== undefined) return { claimed: true, previous: output.Attributes?.lastTestedAt };
    const item = await getItem<RuleItem>(this.#table, ruleKey(accountId, ruleId));
    if (item === undefined) return undefined;
    const lastTestedAt = fromItem(item).lastTestedAt ?? new Date(nowMs).toISOString();
    return { claimed: false, lastTestedAt };
  }

  async releaseTest(
    accountId: string,
    ruleId: string,
    claimedAt: string,
    previous: string | undefined,
  ): Promise<void> {
    await conditionalUpdate(this.#table.client, {
      TableName: this.#table.tableName,
      Key: ruleKey(accountId, ruleId),
      UpdateExpression:
        previous === undefined ? 'REMOVE lastTestedAt' : 'SET lastTestedAt = :previous',
      ConditionExpression: 'lastTestedAt = :claimed',
      // Without a previous time, `:previous` is left out (the client drops undefined values).
      ExpressionAttributeValues: { ':claimed': claimedAt, ':previous': previous },
    });
  }
}
