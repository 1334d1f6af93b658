// Reads shared by the stores on the `accounts` table: GetItem (consistent).
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError } from '#core/errors.ts';
import { type Key, type ProfileItem, profileKey } from './account-items.ts';
import { dynamoCall } from './dynamo-errors.ts';

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

export function accountNotFound(): NotFoundError {
  return new NotFoundError('This account does not exist.');
}
