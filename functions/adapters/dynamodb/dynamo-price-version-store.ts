// PriceVersionStore on DynamoDB (the `prices` table): GetItem (the pointer, a version's data),
// PutItem (a version, then the pointer).
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { PriceVersionStore, StoredPriceData } from '#core/ports/price-version-store.ts';
import { dynamoCall } from './dynamo-errors.ts';

/**
 * `pk=PRICES`: `sk=CURRENT` holds `dataVersion` (about 100 bytes: the proxy reads it every few
 * minutes, eventually consistent, 0.5 read units); `sk=VERSION#<dataVersion>` holds a version's
 * data as JSON text (about 55 KB for the five providers, far below the 400 KB item limit).
 */
const PARTITION = 'PRICES';
const CURRENT = 'CURRENT';
const versionKey = (dataVersion: string) => ({ pk: PARTITION, sk: `VERSION#${dataVersion}` });

/** {@link PriceVersionStore} on the `prices` table. */
export class DynamoPriceVersionStore implements PriceVersionStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async currentVersion(): Promise<string | undefined> {
    const output = await dynamoCall('GetItem', () =>
      this.#client.send(
        new GetCommand({ TableName: this.#tableName, Key: { pk: PARTITION, sk: CURRENT } }),
      ),
    );
    const version = output.Item?.dataVersion;
    return typeof version === 'string' ? version : undefined;
  }

  async load(dataVersion: string): Promise<StoredPriceData | undefined> {
    const output = await dynamoCall('GetItem', () =>
      this.#client.send(
        new GetCommand({ TableName: this.#tableName, Key: versionKey(dataVersion) }),
      ),
    );
    const item = output.Item;
    if (item === undefined) return undefined;
    return {
      dataVersion: String(item.dataVersion),
      fetchedAt: String(item.fetchedAt),
      sourceUrl: String(item.sourceUrl),
      json: String(item.json),
    };
  }

  async publish(data: StoredPriceData): Promise<void> {
    await dynamoCall('PutItem', () =>
      this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { ...versionKey(data.dataVersion), ...data },
        }),
      ),
    );
    await dynamoCall('PutItem', () =>
      this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { pk: PARTITION, sk: CURRENT, dataVersion: data.dataVersion },
        }),
      ),
    );
  }
}
