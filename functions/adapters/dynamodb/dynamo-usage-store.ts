// UsageStore on DynamoDB: PutItem (conditional, idempotent), Query (newest first, expired filtered).
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '#core/ports/clock.ts';
import type { AppendOutcome, UsageRetention, UsageStore } from '#core/ports/usage-store.ts';
import type { StoredUsageRecord } from '#core/rollups/rollup.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { SystemClock } from '../system/system-clock.ts';
import { dynamoCall } from './dynamo-errors.ts';
import { queryPages } from './query-pages.ts';
import { USAGE_RECORD_SORT_KEY_PREFIX } from './table-definitions.ts';

export interface DynamoUsageStoreOptions {
  readonly client: DynamoDBDocumentClient;
  /** Physical name of the `usage` table (see `tableName(prefix, 'usage')`). */
  readonly tableName: string;
  /** Decides which records have expired (DynamoDB TTL deletes lazily; dynalite never). @default - the system clock */
  readonly clock?: Clock;
}

/**
 * `pk=ACCOUNT#<id>, sk=REQ#<at>#<requestId>`: every UsageRecord field, plus
 * `expiresAtEpochSeconds` (the table's TTL attribute). `costPicoUsd` is a Number with all its
 * digits, absent when null.
 */
type UsageItem = Omit<UsageRecord, 'costPicoUsd'> & {
  readonly pk: string;
  readonly sk: string;
  readonly expiresAtEpochSeconds: number;
  readonly costPicoUsd?: bigint | number;
};

const REQUEST_SK_PREFIX = USAGE_RECORD_SORT_KEY_PREFIX;

const ACCOUNT_PK_PREFIX = 'ACCOUNT#';
const accountPk = (accountId: string): string => `${ACCOUNT_PK_PREFIX}${accountId}`;

/** The key of a record's raw item: the one place its shape is spelled (re-pricing uses it too). */
export function usageRecordKey(record: Pick<UsageRecord, 'accountId' | 'at' | 'requestId'>): {
  pk: string;
  sk: string;
} {
  return {
    pk: accountPk(record.accountId),
    sk: `${REQUEST_SK_PREFIX}${record.at}#${record.requestId}`,
  };
}

function toItem(record: UsageRecord, retention: UsageRetention): UsageItem {
  return {
    ...usageRecordKey(record),
    ...record,
    // An unpriced record's cost is left unwritten.
    costPicoUsd: record.costPicoUsd ?? undefined,
    expiresAtEpochSeconds: retention.expiresAtEpochSeconds,
  };
}

/**
 * The record a stored usage item holds (a raw record, or an error copy of one: same attributes
 * under other keys). The one item-to-record mapping: the rollup store, re-pricing and the usage
 * aggregator's stream decoder use it too.
 */
export function usageRecordFromItem(item: Readonly<Record<string, unknown>>): UsageRecord {
  const {
    pk: _pk,
    sk: _sk,
    expiresAtEpochSeconds: _expires,
    costPicoUsd,
    budgetReservation,
    ...rest
  } = item as UsageItem & { readonly costPicoUsd?: bigint | number | null };
  // Safe integers unmarshall as number, larger ones as bigint: BigInt() is exact for both.
  return {
    ...rest,
    costPicoUsd: costPicoUsd === undefined || costPicoUsd === null ? null : BigInt(costPicoUsd),
    ...(budgetReservation === undefined
      ? {}
      : {
          budgetReservation: {
            charges: budgetReservation.charges,
            reservedPicoUsd: BigInt(budgetReservation.reservedPicoUsd),
          },
        }),
  };
}

/** A stored usage item's record together with its retention (`expiresAtEpochSeconds`). */
export function storedUsageRecordFromItem(
  item: Readonly<Record<string, unknown>>,
): StoredUsageRecord {
  return {
    record: usageRecordFromItem(item),
    expiresAtEpochSeconds: Number(item.expiresAtEpochSeconds),
  };
}

/** Whether a key names a raw usage record (`ACCOUNT#…` / `REQ#…`), not a rollup, marker or copy. */
export function isUsageRecordKey(key: { readonly pk?: unknown; readonly sk?: unknown }): boolean {
  return (
    typeof key.pk === 'string' &&
    key.pk.startsWith(ACCOUNT_PK_PREFIX) &&
    typeof key.sk === 'string' &&
    key.sk.startsWith(REQUEST_SK_PREFIX)
  );
}

/** {@link UsageStore} on the `usage` table; rollups will share the partition under other sort keys. */
export class DynamoUsageStore implements UsageStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #clock: Clock;

  constructor(options: DynamoUsageStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#clock = options.clock ?? new SystemClock();
  }

  /** Conditional put (`attribute_not_exists(pk)`): a retry finding the item already there is a success. */
  async append(record: UsageRecord, retention: UsageRetention): Promise<AppendOutcome> {
    return dynamoCall<AppendOutcome>(
      'PutItem',
      async () => {
        await this.#client.send(
          new PutCommand({
            TableName: this.#tableName,
            Item: toItem(record, retention),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return 'appended';
      },
      () => 'duplicate',
    );
  }

  /**
   * Query newest first, skipping records whose `expiresAtEpochSeconds` is not after now.
   * DynamoDB applies `Limit` before the filter, so it pages on until `limit` records are found.
   */
  async listRecent(accountId: string, limit: number): Promise<UsageRecord[]> {
    if (limit < 1) return [];
    const nowEpochSeconds = Math.floor(this.#clock.nowMs() / 1000);
    const records: UsageRecord[] = [];
    const pages = queryPages(this.#client, {
      TableName: this.#tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      FilterExpression: 'expiresAtEpochSeconds > :now',
      ExpressionAttributeValues: {
        ':pk': accountPk(accountId),
        ':prefix': REQUEST_SK_PREFIX,
        ':now': nowEpochSeconds,
      },
      ScanIndexForward: false,
      Limit: limit,
    });
    for await (const page of pages) {
      for (const item of page.Items ?? []) records.push(usageRecordFromItem(item));
      if (records.length >= limit) break;
    }
    return records.slice(0, limit);
  }
}
