// Reads shared by the stores on the `accounts` table: GetItem (consistent), Query (active index).
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError } from '#core/errors.ts';
import { type Key, type ProfileItem, profileKey } from './account-items.ts';
import { dynamoCall } from './dynamo-errors.ts';
import { ACTIVE_ALERT_RULES_INDEX } from './table-definitions.ts';

/** The `accounts` table as every store on it is given it. */
export interface AccountsTable {
  readonly client: DynamoDBDocumentClient;
  /** Physical name of the `accounts` table (see `tableName(prefix, 'accounts')`). */
  readonly tableName: string;
}

/** One item by key, read strongly consistent; undefined when there is none. */
export async function getItem<T>(table: AccountsTable, key: Key): Promise<T | undefined> {
  const output = await dynamoCall('GetItem', () =>
    table.client.send(
      new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }),
    ),
  );
  return output.Item as T | undefined;
}

/** The account's profile item (strongly consistent), or undefined. */
export function getProfile(
  table: AccountsTable,
  accountId: string,
): Promise<ProfileItem | undefined> {
  return getItem<ProfileItem>(table, profileKey(accountId));
}

/**
 * One page of a shard of the active-items index (alert rules, budgets), in `activeKey` order after
 * the cursor. `more` says whether DynamoDB stopped before the shard's end.
 */
export async function queryActiveShard(
  table: AccountsTable,
  shard: string,
  options: { readonly after?: string | undefined; readonly limit: number },
): Promise<{ items: Record<string, unknown>[]; more: boolean }> {
  const { after } = options;
  const output = await dynamoCall('Query', () =>
    table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: ACTIVE_ALERT_RULES_INDEX,
        KeyConditionExpression:
          after === undefined
            ? 'activeShard = :shard'
            : 'activeShard = :shard AND activeKey > :after',
        ExpressionAttributeValues:
          after === undefined ? { ':shard': shard } : { ':shard': shard, ':after': after },
        Limit: Math.max(1, options.limit),
      }),
    ),
  );
  return { items: output.Items ?? [], more: output.LastEvaluatedKey !== undefined };
}

export function accountNotFound(): NotFoundError {
  return new NotFoundError('This account does not exist.');
}
