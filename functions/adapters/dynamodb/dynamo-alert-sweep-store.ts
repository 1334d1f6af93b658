// AlertSweepStore on DynamoDB (the `accounts` table): Query on the sparse `activeAlertRules`
// index (active rules of every account, in key order), GetItem / PutItem of the cursor item.
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ActiveRulesPage, AlertSweepStore } from '#core/ports/alert-sweep-store.ts';
import type { AccountsTable } from './accounts-table.ts';
import { ACTIVE_SHARD, activeKey, fromItem } from './alert-rule-items.ts';
import { dynamoCall } from './dynamo-errors.ts';
import { ACTIVE_ALERT_RULES_INDEX } from './table-definitions.ts';

/** `pk=ALERTS, sk=EVALUATOR_CURSOR`: where the evaluator's next run starts. */
const CURSOR_KEY = { pk: 'ALERTS', sk: 'EVALUATOR_CURSOR' } as const;

/** {@link AlertSweepStore} on the `accounts` table. */
export class DynamoAlertSweepStore implements AlertSweepStore {
  readonly #client: AccountsTable['client'];
  readonly #tableName: string;

  constructor(options: AccountsTable) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async listActive(options: {
    readonly after?: string;
    readonly limit: number;
  }): Promise<ActiveRulesPage> {
    const output = await dynamoCall('Query', () =>
      this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          IndexName: ACTIVE_ALERT_RULES_INDEX,
          KeyConditionExpression:
            options.after === undefined
              ? 'activeShard = :shard'
              : 'activeShard = :shard AND activeKey > :after',
          ExpressionAttributeValues: {
            ':shard': ACTIVE_SHARD,
            ...(options.after === undefined ? {} : { ':after': options.after }),
          },
          Limit: Math.max(1, options.limit),
        }),
      ),
    );
    const rules = (output.Items ?? []).map(fromItem);
    const last = rules.at(-1);
    return {
      rules,
      ...(output.LastEvaluatedKey === undefined || last === undefined
        ? {}
        : { next: activeKey(last.accountId, last.ruleId) }),
    };
  }

  async loadSweepCursor(): Promise<string | undefined> {
    const output = await dynamoCall('GetItem', () =>
      this.#client.send(new GetCommand({ TableName: this.#tableName, Key: CURSOR_KEY })),
    );
    return typeof output.Item?.cursor === 'string' ? output.Item.cursor : undefined;
  }

  async saveSweepCursor(cursor: string | undefined): Promise<void> {
    await dynamoCall('PutItem', () =>
      this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { ...CURSOR_KEY, ...(cursor === undefined ? {} : { cursor }) },
        }),
      ),
    );
  }
}
