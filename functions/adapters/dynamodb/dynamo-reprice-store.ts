// RepriceStore on DynamoDB: a paginated Scan of the usage table's records in a time window, and
// an UpdateItem conditional on the stored price version.
import { type DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '#core/ports/clock.ts';
import type { RepricedCost, RepriceStore } from '#core/ports/reprice-store.ts';
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

  async updateCost(record: UsageRecord, cost: RepricedCost): Promise<boolean> {
    const set = ['priceVersion = :new'];
    const remove: string[] = [];
    if (cost.costPicoUsd === null) remove.push('costPicoUsd');
    else set.push('costPicoUsd = :cost');
    if (cost.tierUnpriced) set.push('tierUnpriced = :true');
    else remove.push('tierUnpriced');
    return conditionalUpdate(this.#client, {
      TableName: this.#tableName,
      Key: usageRecordKey(record),
      UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
      ConditionExpression: 'priceVersion = :old',
      ExpressionAttributeValues: {
        ':new': cost.priceVersion,
        ':old': record.priceVersion,
        // Only the values the expression names: DynamoDB rejects unused ones.
        ...(cost.costPicoUsd === null ? {} : { ':cost': cost.costPicoUsd }),
        ...(cost.tierUnpriced ? { ':true': true } : {}),
      },
    });
  }
}
