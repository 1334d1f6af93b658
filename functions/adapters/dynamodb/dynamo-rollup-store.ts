// RollupStore and RollupSealStore on DynamoDB (the `usage` table): UpdateItem ADD (live),
// PutItem/DeleteItem (seal),
// Query (sort-key ranges only; expired items filtered on read).
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Clock } from '#core/ports/clock.ts';
import type { RollupSealStore } from '#core/ports/rollup-seal-store.ts';
import type { RollupStore } from '#core/ports/rollup-store.ts';
import type { TagKeySeen } from '#core/ports/tag-rollup-store.ts';
import { bucketIso, bucketMs, type Granularity, HOUR_MS } from '#core/rollups/buckets.ts';
import {
  type MonthPack,
  type MonthPacks,
  type MonthPackUpdate,
  monthStartMs,
  nextMonthStartMs,
  type PackManifest,
} from '#core/rollups/month-packs.ts';
import { dimensionKey, type Rollup, type StoredUsageRecord } from '#core/rollups/rollup.ts';
import { DIRTY_MARKER_LIFETIME_MS } from '#core/rollups/seal-rollups.ts';
import type { TagRollup } from '#core/rollups/tag-rollup.ts';
import type { TagSummary } from '#core/rollups/tag-summary.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { SystemClock } from '../system/system-clock.ts';
import { dynamoCall } from './dynamo-errors.ts';
import { DynamoTagRollupStore } from './dynamo-tag-rollup-store.ts';
import { storedUsageRecordFromItem, usageRecordFromItem } from './dynamo-usage-store.ts';
import { queryPages } from './query-pages.ts';
import { liveAddInput, rollupAttributes, rollupFromItem } from './rollup-items.ts';
import { fromPackItem, manifestItem, packItem, packSk } from './rollup-pack-items.ts';

/*
 * Items (all in the `usage` table, next to the raw `ACCOUNT#<id>` / `REQ#...` records):
 * - rollup:  pk=ROLLUP#<account>  sk=H#<hour ISO>#<dimension key> | D#<day ISO>#<dimension key>
 *            counts as Numbers (costPicoUsd with all its digits), histogram counts as `h<index>`.
 * - month pack and manifest: pk=ROLLUP#<account>  sk=M#<month ISO>#[<dimension key>]
 *            (sealed days only; see rollup-pack-items.ts).
 * - dirty:   pk=DIRTY#<hour ISO>#<shard>  sk=<account>   (unsealed activity in that hour; the
 *            shard (0-15, from the account id) spreads every account's per-request marker write)
 * - error:   pk=ERRORS#<account>  sk=<at>#<requestId>  (copy of an error record, same expiry)
 */

export interface DynamoRollupStoreOptions {
  readonly client: DynamoDBDocumentClient;
  /** Physical name of the `usage` table. */
  readonly tableName: string;
  /** Decides which items have expired. @default - the system clock */
  readonly clock?: Clock;
}

const GRANULARITY_PREFIX: Record<Granularity, string> = { hour: 'H#', day: 'D#' };
/** Parallel Query segments for long ranges. */
const MAX_QUERY_SEGMENTS = 8;
/** Sorts after every character a request id or ISO suffix can hold. */
const HIGH = '\uffff';

const rollupPk = (accountId: string): string => `ROLLUP#${accountId}`;
/** Dirty markers of one hour spread over this many partitions (each takes ~1000 writes/s). */
const DIRTY_SHARDS = 16;
function dirtyShard(accountId: string): number {
  let hash = 0;
  for (const char of accountId) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return hash % DIRTY_SHARDS;
}
const dirtyPk = (hourStartMs: number, shard: number): string =>
  `DIRTY#${bucketIso(hourStartMs)}#${shard}`;
const errorsPk = (accountId: string): string => `ERRORS#${accountId}`;
const rollupSk = (granularity: Granularity, bucketStart: string, key: string): string =>
  `${GRANULARITY_PREFIX[granularity]}${bucketStart}#${key}`;

type Item = Record<string, unknown>;

/** The stored form of a rollup (exported for bulk seeding in the bench). */
export function rollupItem(rollup: Rollup): Item {
  return {
    pk: rollupPk(rollup.accountId),
    sk: rollupSk(rollup.granularity, rollup.bucketStart, dimensionKey(rollup)),
    ...rollupAttributes(rollup),
  };
}

function errorItem(stored: StoredUsageRecord): Item {
  return {
    ...stored.record,
    // An unpriced record's cost is left unwritten.
    costPicoUsd: stored.record.costPicoUsd ?? undefined,
    pk: errorsPk(stored.record.accountId),
    sk: `${stored.record.at}#${stored.record.requestId}`,
    expiresAtEpochSeconds: stored.expiresAtEpochSeconds,
  };
}

/**
 * {@link RollupStore} (live) and {@link RollupSealStore} (seal job) on the `usage` table (see the
 * item layout above): one class, as both sides share the item layout. The tag rollups' methods
 * are those of a {@link DynamoTagRollupStore} on the same table.
 */
export class DynamoRollupStore implements RollupStore, RollupSealStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #clock: Clock;
  readonly #tags: DynamoTagRollupStore;

  constructor(options: DynamoRollupStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#clock = options.clock ?? new SystemClock();
    this.#tags = new DynamoTagRollupStore({ ...options, clock: this.#clock });
  }

  addToTagRollup(rollup: TagRollup): Promise<void> {
    return this.#tags.addToTagRollup(rollup);
  }

  noteTagKey(accountId: string, key: string, seenAt: string): Promise<void> {
    return this.#tags.noteTagKey(accountId, key, seenAt);
  }

  listTagKeys(accountId: string): Promise<TagKeySeen[]> {
    return this.#tags.listTagKeys(accountId);
  }

  queryTagValues(
    ...args: Parameters<DynamoTagRollupStore['queryTagValues']>
  ): Promise<TagRollup[]> {
    return this.#tags.queryTagValues(...args);
  }

  queryTagHours(...args: Parameters<DynamoTagRollupStore['queryTagHours']>): Promise<TagRollup[]> {
    return this.#tags.queryTagHours(...args);
  }

  queryTagSummaries(
    ...args: Parameters<DynamoTagRollupStore['queryTagSummaries']>
  ): Promise<TagSummary[]> {
    return this.#tags.queryTagSummaries(...args);
  }

  replaceTagHour(...args: Parameters<DynamoTagRollupStore['replaceTagHour']>): Promise<void> {
    return this.#tags.replaceTagHour(...args);
  }

  putTagDay(...args: Parameters<DynamoTagRollupStore['putTagDay']>): Promise<void> {
    return this.#tags.putTagDay(...args);
  }

  #nowEpochSeconds(): number {
    return Math.floor(this.#clock.nowMs() / 1000);
  }

  /** Pages through a Query, keeping unexpired items, until `accept` has taken `limit`. */
  async #queryAll(
    input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
    limit = Number.POSITIVE_INFINITY,
  ): Promise<Item[]> {
    const items: Item[] = [];
    for await (const page of queryPages(this.#client, { ...input, TableName: this.#tableName })) {
      items.push(...((page.Items ?? []) as Item[]));
      if (items.length >= limit) break;
    }
    return items;
  }

  /**
   * One UpdateItem: ADD every count, `costPicoUsd` and each histogram bucket `h<i>`; SET every
   * other attribute of the stored form (keys aside) and `sealed = false`. Derived from
   * {@link rollupItem}, so a new dimension is SET here without a change.
   */
  async addToRollup(rollup: Rollup): Promise<void> {
    const item = rollupItem({ ...rollup, sealed: false });
    await dynamoCall('UpdateItem', () =>
      this.#client.send(new UpdateCommand(liveAddInput(this.#tableName, item))),
    );
  }

  /** One PutItem on the hour's marker partition (sharded by account). */
  async markDirty(accountId: string, hourStartMs: number): Promise<void> {
    await dynamoCall('PutItem', () =>
      this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            pk: dirtyPk(hourStartMs, dirtyShard(accountId)),
            sk: accountId,
            // The daily sweep looks back this far; TTL removes markers after that.
            expiresAtEpochSeconds: Math.floor((hourStartMs + DIRTY_MARKER_LIFETIME_MS) / 1000),
          },
        }),
      ),
    );
  }

  async query(
    accountId: string,
    granularity: Granularity,
    fromMs: number,
    toMs: number,
  ): Promise<Rollup[]> {
    if (!(toMs > fromMs)) return [];
    const prefix = GRANULARITY_PREFIX[granularity];
    const now = this.#nowEpochSeconds();
    // Long ranges are read as up to 8 bucket-aligned segments in parallel: the same items and
    // capacity, less wall-clock time than one Query paging through them in sequence.
    const size = bucketMs(granularity);
    const buckets = Math.ceil((toMs - fromMs) / size);
    const segments = Math.min(MAX_QUERY_SEGMENTS, Math.max(1, Math.ceil(buckets / 30)));
    const perSegment = Math.ceil(buckets / segments) * size;
    const ranges: [number, number][] = [];
    for (let start = fromMs; start < toMs; start += perSegment) {
      ranges.push([start, Math.min(toMs, start + perSegment)]);
    }
    const pages = await Promise.all(
      ranges.map(([start, end]) =>
        this.#queryAll({
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          FilterExpression: 'expiresAtEpochSeconds > :now',
          ExpressionAttributeValues: {
            ':pk': rollupPk(accountId),
            ':from': `${prefix}${bucketIso(start)}`,
            ':to': `${prefix}${bucketIso(end - 1)}${HIGH}`,
            ':now': now,
          },
        }),
      ),
    );
    return pages
      .flat()
      .map(rollupFromItem)
      .filter((rollup) => {
        const startMs = Date.parse(rollup.bucketStart);
        return startMs >= fromMs && startMs < toMs;
      });
  }

  /**
   * Up to 8 Queries in parallel, each over consecutive months; expired days stay in (the core
   * validates, then skips them).
   */
  async queryMonthPacks(
    accountId: string,
    fromMs: number,
    toMs: number,
  ): Promise<MonthPacks<Rollup>> {
    if (!(toMs > fromMs)) return { packs: [], manifests: [] };
    const months: number[] = [];
    for (let month = monthStartMs(fromMs); month < toMs; month = nextMonthStartMs(month)) {
      months.push(month);
    }
    const perSegment = Math.ceil(months.length / MAX_QUERY_SEGMENTS);
    const segments: number[][] = [];
    for (let i = 0; i < months.length; i += perSegment)
      segments.push(months.slice(i, i + perSegment));
    const pages = await Promise.all(
      segments.map((segment) =>
        this.#queryAll({
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': rollupPk(accountId),
            ':from': packSk(bucketIso(segment[0] ?? 0), ''),
            ':to': `${packSk(bucketIso(segment.at(-1) ?? 0), '')}${HIGH}`,
          },
        }),
      ),
    );
    const packs: MonthPack<Rollup>[] = [];
    const manifests: PackManifest[] = [];
    for (const item of pages.flat()) {
      const decoded = fromPackItem(item);
      if ('pack' in decoded) packs.push(decoded.pack);
      else manifests.push(decoded.manifest);
    }
    return { packs, manifests };
  }

  /** PutItem per pack and DeleteItem per dropped key in parallel, then PutItem of the manifest. */
  async writeMonthPacks(update: MonthPackUpdate<Rollup>): Promise<void> {
    const pk = rollupPk(update.accountId);
    await Promise.all([
      ...update.put.map((pack) => this.#put(packItem(pk, pack))),
      ...update.deleteKeys.map((key) =>
        dynamoCall('DeleteItem', () =>
          this.#client.send(
            new DeleteCommand({
              TableName: this.#tableName,
              Key: { pk, sk: packSk(update.monthStart, key) },
            }),
          ),
        ),
      ),
    ]);
    await this.#put(manifestItem(pk, update.manifest));
  }

  async #put(item: Item): Promise<void> {
    await dynamoCall('PutItem', () =>
      this.#client.send(new PutCommand({ TableName: this.#tableName, Item: item })),
    );
  }

  async listDirty(hourStartMs: number): Promise<string[]> {
    const shards = await Promise.all(
      Array.from({ length: DIRTY_SHARDS }, (_, shard) =>
        this.#queryAll({
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': dirtyPk(hourStartMs, shard) },
        }),
      ),
    );
    return shards.flat().map((item) => String(item.sk));
  }

  async clearDirty(hourStartMs: number, accountId: string): Promise<void> {
    await dynamoCall('DeleteItem', () =>
      this.#client.send(
        new DeleteCommand({
          TableName: this.#tableName,
          Key: { pk: dirtyPk(hourStartMs, dirtyShard(accountId)), sk: accountId },
        }),
      ),
    );
  }

  async rawRecordsInHour(accountId: string, hourStartMs: number): Promise<StoredUsageRecord[]> {
    const items = await this.#queryAll({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      FilterExpression: 'expiresAtEpochSeconds > :now',
      ExpressionAttributeValues: {
        ':pk': `ACCOUNT#${accountId}`,
        ':from': `REQ#${bucketIso(hourStartMs)}`,
        ':to': `REQ#${bucketIso(hourStartMs + HOUR_MS - 1)}${HIGH}`,
        ':now': this.#nowEpochSeconds(),
      },
    });
    return items.map(storedUsageRecordFromItem);
  }

  async replaceBucket(
    accountId: string,
    granularity: Granularity,
    bucketStartMsValue: number,
    rollups: readonly Rollup[],
  ): Promise<void> {
    const bucketStart = bucketIso(bucketStartMsValue);
    const existing = await this.#queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: {
        ':pk': rollupPk(accountId),
        ':prefix': `${GRANULARITY_PREFIX[granularity]}${bucketStart}#`,
      },
      ProjectionExpression: 'sk',
    });
    const items = rollups
      .filter((rollup) => rollup.bucketStart === bucketStart && rollup.granularity === granularity)
      .map(rollupItem);
    const kept = new Set(items.map((item) => String(item.sk)));
    await Promise.all(items.map((item) => this.#put(item)));
    await Promise.all(
      existing
        .filter((item) => !kept.has(String(item.sk)))
        .map((item) =>
          dynamoCall('DeleteItem', () =>
            this.#client.send(
              new DeleteCommand({
                TableName: this.#tableName,
                Key: { pk: rollupPk(accountId), sk: String(item.sk) },
              }),
            ),
          ),
        ),
    );
  }

  async putErrors(records: readonly StoredUsageRecord[]): Promise<void> {
    await Promise.all(records.map((stored) => this.#put(errorItem(stored))));
  }

  async recentErrors(
    accountId: string,
    fromMs: number,
    toMs: number,
    accept: (record: UsageRecord) => boolean,
    limit: number,
  ): Promise<UsageRecord[]> {
    if (limit < 1 || !(toMs > fromMs)) return [];
    const found: UsageRecord[] = [];
    const pages = queryPages(this.#client, {
      TableName: this.#tableName,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      FilterExpression: 'expiresAtEpochSeconds > :now',
      ExpressionAttributeValues: {
        ':pk': errorsPk(accountId),
        ':from': bucketIso(fromMs),
        ':to': `${bucketIso(toMs - 1)}${HIGH}`,
        ':now': this.#nowEpochSeconds(),
      },
      ScanIndexForward: false,
      Limit: 100,
    });
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const record = usageRecordFromItem(item);
        if (accept(record)) found.push(record);
      }
      if (found.length >= limit) break;
    }
    return found.slice(0, limit);
  }
}
