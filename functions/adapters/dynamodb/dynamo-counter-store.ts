// CounterStore on DynamoDB: UpdateItem (conditional ADD for counting, plain ADD for refusals),
// GetItem (strongly consistent, expired filtered) on the `counters` table.
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CounterStore, CounterValue } from '#core/ports/counter-store.ts';
import { conditionalUpdate } from './conditional-write.ts';
import { dynamoCall } from './dynamo-errors.ts';

export interface DynamoCounterStoreOptions {
  readonly client: DynamoDBDocumentClient;
  /** Physical name of the `counters` table (see `tableName(prefix, 'counters')`). */
  readonly tableName: string;
}

/** `pk=<counter key>`: `count`, `rejected`, `expiresAtEpochSeconds` (the table's TTL attribute). */
interface CounterItem {
  readonly pk: string;
  readonly count?: number;
  readonly rejected?: number;
  readonly expiresAtEpochSeconds?: number;
}

/** {@link CounterStore} on the `counters` table: one item per window, never a read-modify-write. */
export class DynamoCounterStore implements CounterStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoCounterStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  /**
   * One UpdateItem: `ADD #count :one` conditional on `attribute_not_exists(#count) OR
   * #count < :limit`. DynamoDB serialises writes to an item, so the condition and the add are
   * atomic; a failed condition means the window is full.
   */
  async incrementIfBelow(
    key: string,
    limit: number,
    expiresAtEpochSeconds: number,
  ): Promise<boolean> {
    if (limit < 1) return false;
    return conditionalUpdate(this.#client, {
      TableName: this.#tableName,
      Key: { pk: key },
      UpdateExpression: 'ADD #count :one SET #expires = :expires',
      ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
      ExpressionAttributeNames: { '#count': 'count', '#expires': 'expiresAtEpochSeconds' },
      ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':expires': expiresAtEpochSeconds },
    });
  }

  /** Unconditional `ADD #rejected :one`: only on the refusal path, never on the hot path. */
  async countRejection(key: string, expiresAtEpochSeconds: number): Promise<void> {
    await dynamoCall('UpdateItem', () =>
      this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { pk: key },
          UpdateExpression: 'ADD #rejected :one SET #expires = :expires',
          ExpressionAttributeNames: {
            '#rejected': 'rejected',
            '#expires': 'expiresAtEpochSeconds',
          },
          ExpressionAttributeValues: { ':one': 1, ':expires': expiresAtEpochSeconds },
        }),
      ),
    );
  }

  /** Consistent GetItem; an item past `expiresAtEpochSeconds` reads as zeros (TTL is lazy). */
  async read(key: string, nowMs: number): Promise<CounterValue> {
    const output = await dynamoCall('GetItem', () =>
      this.#client.send(
        new GetCommand({ TableName: this.#tableName, Key: { pk: key }, ConsistentRead: true }),
      ),
    );
    const item = output.Item as CounterItem | undefined;
    if (item === undefined || (item.expiresAtEpochSeconds ?? 0) * 1000 <= nowMs) {
      return { count: 0, rejected: 0 };
    }
    return { count: Number(item.count ?? 0), rejected: Number(item.rejected ?? 0) };
  }
}
