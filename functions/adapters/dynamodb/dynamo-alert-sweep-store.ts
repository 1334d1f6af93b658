// AlertSweepStore on DynamoDB (the `accounts` table): Query on the sparse `activeAlertRules`
// index (active rules of every account, in key order), GetItem / PutItem of the cursor item.
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ActiveRulesPage, AlertSweepStore } from '#core/ports/alert-sweep-store.ts';
import { type AccountsTable, queryActiveShard } from './accounts-table.ts';
import { ACTIVE_SHARD, activeKey, fromItem } from './alert-rule-items.ts';
import { dynamoCall } from './dynamo-errors.ts';

/** `pk=ALERTS, sk=EVALUATOR_CURSOR`: where the evaluator's next run starts. */
const CURSOR_KEY = { pk: 'ALERTS', sk: 'EVALUATOR_CURSOR' } as const;

/** {@link AlertSweepStore} on the `accounts` table. */
export class DynamoAlertSweepStore implements AlertSweepStore {
  readonly #table: AccountsTable;
  readonly #client: AccountsTable['client'];
  readonly #tableName: string;

  constructor(options: AccountsTable) {
    this.#table = options;
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async listActive(options: {
    readonly after?: string | undefined;
    readonly limit: number;
  }): Promise<ActiveRulesPage> {
    const page = await queryActiveShard(this.#table, ACTIVE_SHARD, options);
    const rules = page.items.map(fromItem);
    const last = rules.at(-1);
    return page.more && last !== undefined
      ? { rules, next: activeKey(last.accountId, last.ruleId) }
      : { rules };
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
          Item: { ...CURSOR_KEY, cursor },
        }),
      ),
    );
  }
}
