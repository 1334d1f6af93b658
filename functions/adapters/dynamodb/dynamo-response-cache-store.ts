// ResponseCacheStore on DynamoDB: GetItem (eventually consistent; expired items filtered) and
// PutItem (unconditional overwrite) on the `responseCache` table.
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CachedResponse, ResponseCacheStore } from '#core/ports/response-cache-store.ts';
import { dynamoCall } from './dynamo-errors.ts';

export interface DynamoResponseCacheStoreOptions {
  readonly client: DynamoDBDocumentClient;
  /** Physical name of the `responseCache` table (see `tableName(prefix, 'responseCache')`). */
  readonly tableName: string;
}

/**
 * `pk=<sha-256 hex>`: `status`, `contentType`, `body` (Binary, the provider's bytes),
 * `storedAtMs`, `expiresAtEpochSeconds` (the table's TTL attribute). Short attribute values
 * keep the item within DynamoDB's 400 KB for a body of `MAX_CACHED_BODY_BYTES`.
 */
interface CacheItem {
  readonly pk: string;
  readonly status: number;
  readonly contentType: string;
  readonly body: Uint8Array;
  readonly storedAtMs: number;
  readonly expiresAtEpochSeconds: number;
}

/** {@link ResponseCacheStore} on the `responseCache` table. */
export class DynamoResponseCacheStore implements ResponseCacheStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoResponseCacheStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  /**
   * Eventually consistent GetItem (half the read cost; an entry written a moment ago being
   * missed once is harmless). Items past `expiresAtEpochSeconds` are treated as absent, because
   * TTL deletion lags by up to days (and dynalite never deletes).
   */
  async get(key: string, nowMs: number): Promise<CachedResponse | undefined> {
    const output = await dynamoCall('GetItem', () =>
      this.#client.send(new GetCommand({ TableName: this.#tableName, Key: { pk: key } })),
    );
    const item = output.Item as CacheItem | undefined;
    if (item === undefined || item.expiresAtEpochSeconds * 1000 <= nowMs) return undefined;
    return {
      status: Number(item.status),
      contentType: item.contentType,
      body: new Uint8Array(item.body),
      storedAtMs: Number(item.storedAtMs),
    };
  }

  /** Unconditional PutItem: `refresh` and a concurrent miss may both overwrite; last wins. */
  async put(key: string, response: CachedResponse, expiresAtEpochSeconds: number): Promise<void> {
    const item: CacheItem = { pk: key, ...response, expiresAtEpochSeconds };
    await dynamoCall('PutItem', () =>
      this.#client.send(new PutCommand({ TableName: this.#tableName, Item: item })),
    );
  }
}
