// TagRollupStore and TagRollupSealStore on DynamoDB (the `usage` table): UpdateItem ADD (live),
// UpdateItem with a condition (tag keys seen), PutItem/DeleteItem (seal), Query (sort-key ranges;
// expired items filtered on read).
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Clock } from '#core/ports/clock.ts';
import type {
  TagKeySeen,
  TagRollupSealStore,
  TagRollupStore,
} from '#core/ports/tag-rollup-store.ts';
import { bucketIso, bucketMs, DAY_MS, type Granularity } from '#core/rollups/buckets.ts';
import { keyPart } from '#core/rollups/rollup.ts';
import { type TagRollup, tagRollupKey } from '#core/rollups/tag-rollup.ts';
import type { TagSummary } from '#core/rollups/tag-summary.ts';
import { SystemClock } from '../system/system-clock.ts';
import { dynamoCall } from './dynamo-errors.ts';
import { queryPages } from './query-pages.ts';
import { liveAddInput, rollupAttributes, rollupFromItem } from './rollup-items.ts';
import { summariesFromItems, summaryItems, summaryPrefix } from './tag-summary-items.ts';

/*
 * Items (all in the `usage` table), per account and tag key in one partition `TAG#<account>#<key>`:
 * - hourly:  sk=H#<hour ISO>#<value>|<dimension key>   bucket first: every value of an hour in
 *            one range (the seal's day rebuild, the "By tag" view's unsealed hours)
 * - daily:   sk=V#<value>#<day ISO>#<dimension key>     value first: one value's days in one
 *            range (tag filters, budgets and alerts scoped to a tag)
 * - summary: sk=S#<H|D>#<bucket ISO>#<part>             closed buckets, bounded (tag-summary-items.ts)
 * and the account's keys seen: pk=TAG#<account>  sk=KEY#<key>  `lastSeenAt`.
 * Values are encoded like rollup dimensions (URI-encoded, so `#` and `|` never appear in them).
 */

export interface DynamoTagRollupStoreOptions {
  readonly client: DynamoDBDocumentClient;
  /** Physical name of the `usage` table. */
  readonly tableName: string;
  /** Decides which items have expired. @default - the system clock */
  readonly clock?: Clock;
}

/** Sorts after every character a key part or ISO instant can hold. */
const HIGH = '\uffff';
/** Per-hour value reads in flight at once (hourly tag filters read one hour per Query). */
const HOUR_QUERY_CONCURRENCY = 16;
/** A key unused this long leaves the account's key list (TTL). */
const TAG_KEY_LIFETIME_MS = 400 * DAY_MS;

const tagPk = (accountId: string, key: string): string => `TAG#${accountId}#${key}`;
const keysPk = (accountId: string): string => `TAG#${accountId}`;
const hourSk = (hourIso: string, rest = ''): string => `H#${hourIso}#${rest}`;
const daySk = (value: string, dayIso: string, rest = ''): string =>
  `V#${keyPart(value)}#${dayIso}#${rest}`;

type Item = Record<string, unknown>;

/** The stored form of a tag rollup (exported for bulk seeding in the bench). */
export function tagItem(rollup: TagRollup): Item {
  const dimensions = tagRollupKey(rollup);
  const sk =
    rollup.granularity === 'hour'
      ? hourSk(rollup.bucketStart, dimensions)
      : daySk(rollup.tagValue, rollup.bucketStart, dimensions.slice(dimensions.indexOf('|') + 1));
  return {
    ...rollupAttributes(rollup),
    pk: tagPk(rollup.accountId, rollup.tagKey),
    sk,
    tagKey: rollup.tagKey,
    tagValue: rollup.tagValue,
  };
}

function tagRollupFromItem(item: Item): TagRollup {
  return { ...rollupFromItem(item), tagKey: String(item.tagKey), tagValue: String(item.tagValue) };
}

/** {@link TagRollupStore} and {@link TagRollupSealStore} on the `usage` table. */
export class DynamoTagRollupStore implements TagRollupStore, TagRollupSealStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #clock: Clock;

  constructor(options: DynamoTagRollupStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#clock = options.clock ?? new SystemClock();
  }

  #nowEpochSeconds(): number {
    return Math.floor(this.#clock.nowMs() / 1000);
  }

  async #queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Item[]> {
    const items: Item[] = [];
    for await (const page of queryPages(this.#client, { ...input, TableName: this.#tableName })) {
      items.push(...((page.Items ?? []) as Item[]));
    }
    return items;
  }

  /** Unexpired items of one partition whose sort key lies in `[from, to]`. */
  #range(pk: string, from: string, to: string): Promise<Item[]> {
    return this.#queryAll({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      FilterExpression: 'expiresAtEpochSeconds > :now',
      ExpressionAttributeValues: {
        ':pk': pk,
        ':from': from,
        ':to': to,
        ':now': this.#nowEpochSeconds(),
      },
    });
  }

  async #put(item: Item): Promise<void> {
    await dynamoCall('PutItem', () =>
      this.#client.send(new PutCommand({ TableName: this.#tableName, Item: item })),
    );
  }

  /** The usage rollups' live UpdateItem on the tag item's keys. */
  async addToTagRollup(rollup: TagRollup): Promise<void> {
    const item = tagItem({ ...rollup, sealed: false });
    await dynamoCall('UpdateItem', () =>
      this.#client.send(new UpdateCommand(liveAddInput(this.#tableName, item))),
    );
  }

  /** UpdateItem conditioned on an earlier `lastSeenAt` (a later one already stored wins). */
  async noteTagKey(accountId: string, key: string, seenAt: string): Promise<void> {
    await dynamoCall(
      'UpdateItem',
      async () => {
        await this.#client.send(
          new UpdateCommand({
            TableName: this.#tableName,
            Key: { pk: keysPk(accountId), sk: `KEY#${key}` },
            UpdateExpression:
              'SET tagKey = :key, lastSeenAt = :at, expiresAtEpochSeconds = :expires',
            ConditionExpression: 'attribute_not_exists(lastSeenAt) OR lastSeenAt < :at',
            ExpressionAttributeValues: {
              ':key': key,
              ':at': seenAt,
              ':expires': Math.floor((Date.parse(seenAt) + TAG_KEY_LIFETIME_MS) / 1000),
            },
          }),
        );
      },
      () => undefined,
    );
  }

  async listTagKeys(accountId: string): Promise<TagKeySeen[]> {
    const items = await this.#queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      FilterExpression: 'expiresAtEpochSeconds > :now',
      ExpressionAttributeValues: {
        ':pk': keysPk(accountId),
        ':prefix': 'KEY#',
        ':now': this.#nowEpochSeconds(),
      },
    });
    return items
      .map((item) => ({ key: String(item.tagKey), lastSeenAt: String(item.lastSeenAt) }))
      .sort((a, b) => (a.lastSeenAt < b.lastSeenAt ? 1 : a.lastSeenAt > b.lastSeenAt ? -1 : 0));
  }

  /** Daily: one Query per value over its days. Hourly: one Query per hour and value. */
  async queryTagValues(
    accountId: string,
    key: string,
    values: readonly string[],
    granularity: Granularity,
    fromMs: number,
    toMs: number,
  ): Promise<TagRollup[]> {
    if (!(toMs > fromMs) || values.length === 0) return [];
    const pk = tagPk(accountId, key);
    const reads: (() => Promise<Item[]>)[] = [];
    if (granularity === 'day') {
      for (const value of values) {
        reads.push(() =>
          this.#range(
            pk,
            daySk(value, bucketIso(fromMs)),
            `${daySk(value, bucketIso(toMs - 1))}${HIGH}`,
          ),
        );
      }
    } else {
      const size = bucketMs('hour');
      for (let hour = Math.ceil(fromMs / size) * size; hour < toMs; hour += size) {
        for (const value of values) {
          const prefix = hourSk(bucketIso(hour), `${keyPart(value)}|`);
          reads.push(() => this.#range(pk, prefix, `${prefix}${HIGH}`));
        }
      }
    }
    return (await inBatches(reads, HOUR_QUERY_CONCURRENCY))
      .flat()
      .map(tagRollupFromItem)
      .filter((rollup) => inRange(rollup.bucketStart, fromMs, toMs));
  }

  async queryTagHours(
    accountId: string,
    key: string,
    fromMs: number,
    toMs: number,
  ): Promise<TagRollup[]> {
    if (!(toMs > fromMs)) return [];
    const items = await this.#range(
      tagPk(accountId, key),
      hourSk(bucketIso(fromMs)),
      `${hourSk(bucketIso(toMs - 1))}${HIGH}`,
    );
    return items.map(tagRollupFromItem).filter((r) => inRange(r.bucketStart, fromMs, toMs));
  }

  async queryTagSummaries(
    accountId: string,
    key: string,
    granularity: Granularity,
    fromMs: number,
    toMs: number,
  ): Promise<TagSummary[]> {
    if (!(toMs > fromMs)) return [];
    const prefix = summaryPrefix(granularity);
    const items = await this.#range(
      tagPk(accountId, key),
      `${prefix}${bucketIso(fromMs)}`,
      `${prefix}${bucketIso(toMs - 1)}${HIGH}`,
    );
    return summariesFromItems(items).filter((s) => inRange(s.bucketStart, fromMs, toMs));
  }

  /** PutItem per item and summary part, then DeleteItem of the hour's items not written. */
  async replaceTagHour(
    accountId: string,
    key: string,
    hourStartMs: number,
    rollups: readonly TagRollup[],
    summary: TagSummary,
  ): Promise<void> {
    const pk = tagPk(accountId, key);
    const prefix = hourSk(bucketIso(hourStartMs));
    const existing = await this.#queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
      ProjectionExpression: 'sk',
    });
    const items = rollups.map(tagItem);
    const kept = new Set(items.map((item) => String(item.sk)));
    await Promise.all([...items, ...summaryItems(pk, summary)].map((item) => this.#put(item)));
    await Promise.all(
      existing
        .filter((item) => !kept.has(String(item.sk)))
        .map((item) =>
          dynamoCall('DeleteItem', () =>
            this.#client.send(
              new DeleteCommand({ TableName: this.#tableName, Key: { pk, sk: String(item.sk) } }),
            ),
          ),
        ),
    );
  }

  /** PutItem per daily item and summary part. */
  async putTagDay(
    accountId: string,
    key: string,
    _dayStartMs: number,
    rollups: readonly TagRollup[],
    summary: TagSummary | undefined,
  ): Promise<void> {
    const pk = tagPk(accountId, key);
    const items = [
      ...rollups.map(tagItem),
      ...(summary === undefined ? [] : summaryItems(pk, summary)),
    ];
    await Promise.all(items.map((item) => this.#put(item)));
  }
}

function inRange(bucketStart: string, fromMs: number, toMs: number): boolean {
  const startMs = Date.parse(bucketStart);
  return startMs >= fromMs && startMs < toMs;
}

/** Runs the reads at most `concurrency` at a time, results in order. */
async function inBatches<T>(
  reads: readonly (() => Promise<T>)[],
  concurrency: number,
): Promise<T[]> {
  const results: T[] = new Array(reads.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < reads.length) {
      const index = next;
      next += 1;
      results[index] = await (reads[index] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, reads.length) }, worker));
  return results;
}
