// RepriceStore on DynamoDB: a paginated Scan of the usage table's records in a time window, and
// an UpdateItem conditional on the stored price version.
import { type DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '#core/ports/clock.ts';
import type { RepriceStore } from '#core/ports/reprice-store.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { SystemClock } from '../system/system-clock.ts';
import { conditionalUpdate } from './conditional-write.ts';
import { usageRecordFromItem, usageRecordKey } from './dynamo-usage-store.ts';
import { USAGE_RECORD_SORT_KEY_PREFIX } from './table-definitions.ts';

export interface DynamoRepriceStoreOptions {
  readonly client: DynamoDBDocumentClient;
  /** Physical name of the `usage` table. */
  readonly tableName: string;
  /** @default - the system clock */
  readonly clock?: Clock;
}

/**
 * {@link RepriceStore} on the `usage` table (`pk=ACCOUNT#<id>, sk=REQ#<at>#<requestId>`). The
 * Scan reads the whole table (an operator job, run rarely), keeping unexpired records whose `at`
 * is in the window.
 */
export class DynamoRepriceStore implements RepriceStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #clock: Clock;

  constructor(options: DynamoRepriceStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#clock = options.clock ?? new SystemClock();
  }

  async *recordsBetween(fromMs: number, toMs: number): AsyncIterable<UsageRecord> {
    const pages = paginateScan(
      { client: this.#client },
      {
        TableName: this.#tableName,
        FilterExpression:
          'begins_with(sk, :req) AND #at >= :from AND #at < :to AND expiresAtEpochSeconds > :now',
        ExpressionAttributeNames: { '#at': 'at' },
        ExpressionAttributeValues: {
          ':req': USAGE_RECORD_SORT_KEY_PREFIX,
          ':from': new Date(fromMs).toISOString(),
          ':to': new Date(toMs).toISOString(),
          ':now': Math.floor(this.#clock.nowMs() / 1000),
        },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) yield usageRecordFromItem(item);
    }
  }

  async updateCost(
    record: UsageRecord,
    costPicoUsd: bigint | null,
    priceVersion: string,
  ): Promise<boolean> {
    return conditionalUpdate(this.#client, {
      TableName: this.#tableName,
      Key: usageRecordKey(record),
      UpdateExpression:
        costPicoUsd === null
          ? 'SET priceVersion = :new REMOVE costPicoUsd'
          : 'SET priceVersion = :new, costPicoUsd = :cost',
      ConditionExpression: 'priceVersion = :old',
      ExpressionAttributeValues: {
        ':new': priceVersion,
        ':old': record.priceVersion,
        ...(costPicoUsd === null ? {} : { ':cost': costPicoUsd }),
      },
    });
  }
}
