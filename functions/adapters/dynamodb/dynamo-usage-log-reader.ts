// UsageLogReader on DynamoDB: Query (sk BETWEEN, FilterExpression, Select COUNT) on the usage
// table, Query on the `byRequestId` index (keys only) then a key Query for one record.
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '#core/ports/clock.ts';
import type {
  UsageLogFilter,
  UsageLogPage,
  UsageLogQuery,
  UsageLogReader,
} from '#core/ports/usage-log-reader.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { SystemClock } from '../system/system-clock.ts';
import { dynamoCall } from './dynamo-errors.ts';
import { queryPages } from './query-pages.ts';
import { USAGE_BY_REQUEST_ID_INDEX } from './table-definitions.ts';

export interface DynamoUsageLogReaderOptions {
  readonly client: DynamoDBDocumentClient;
  /** Physical name of the `usage` table. */
  readonly tableName: string;
  /** Decides which records have expired (DynamoDB TTL deletes lazily; dynalite never). @default - the system clock */
  readonly clock?: Clock;
}

const REQUEST_SK_PREFIX = 'REQ#';
/** Items read per Query page when a filter may discard many (DynamoDB applies Limit first). */
const FILTERED_PAGE_ITEMS = 250;

const accountPk = (accountId: string): string => `ACCOUNT#${accountId}`;

type Item = Record<string, unknown>;

/**
 * The record fields of a usage item (written by DynamoUsageStore), picked by name so that other
 * attributes on the item never leak into a record. Costs come back exact (number or bigint).
 */
function toRecord(item: Item): UsageRecord {
  const cost = item.costPicoUsd as number | bigint | undefined;
  const optional = <K extends keyof UsageRecord>(key: K) =>
    item[key] === undefined ? {} : { [key]: item[key] };
  return {
    requestId: item.requestId,
    accountId: item.accountId,
    at: item.at,
    provider: item.provider,
    ...optional('kind'),
    model: item.model,
    ...optional('requester'),
    // A map of strings; absent on records without tags.
    ...optional('tags'),
    status: item.status,
    ...optional('errorSource'),
    ...optional('errorMessage'),
    inputTokens: item.inputTokens,
    outputTokens: item.outputTokens,
    cacheReadTokens: item.cacheReadTokens,
    cacheWriteTokens: item.cacheWriteTokens,
    ...optional('cacheWrite5mTokens'),
    ...optional('cacheWrite1hTokens'),
    totalTokens: item.totalTokens,
    costPicoUsd: cost === undefined ? null : BigInt(cost),
    priceVersion: item.priceVersion,
    ...optional('serviceTier'),
    ...optional('tierUnpriced'),
    latencyMs: item.latencyMs,
    ...optional('timeToFirstTokenMs'),
    streamed: item.streamed,
    cached: item.cached,
    mode: item.mode,
    ...optional('estimated'),
    // The budget that refused the request (status 402).
    ...optional('blockedBy'),
    // A map of numbers; absent on records written before it was kept.
    ...optional('timing'),
  } as UsageRecord;
}

/** A FilterExpression being built: its conditions (joined with AND), names and values. */
interface FilterBuilder {
  readonly conditions: string[];
  readonly names: Record<string, string>;
  readonly values: Record<string, unknown>;
}

/** Binds each value to `:<prefix><index>` and returns the placeholders. */
function placeholders(builder: FilterBuilder, prefix: string, list: readonly unknown[]): string[] {
  return list.map((value, index) => {
    builder.values[`:${prefix}${index}`] = value;
    return `:${prefix}${index}`;
  });
}

function anyOf(builder: FilterBuilder, field: string, list: readonly unknown[]): void {
  if (list.length === 0) return;
  builder.names[`#${field}`] = field;
  builder.conditions.push(`#${field} IN (${placeholders(builder, field, list).join(', ')})`);
}

/** `null` in the list stands for records without a requester. */
function requesterCondition(builder: FilterBuilder, requesters: readonly (string | null)[]): void {
  const named = requesters.filter((value) => value !== null);
  if (!requesters.includes(null)) {
    anyOf(builder, 'requester', named);
    return;
  }
  builder.names['#requester'] = 'requester';
  const alternatives = ['attribute_not_exists(#requester)'];
  if (named.length > 0) {
    alternatives.push(`#requester IN (${placeholders(builder, 'requester', named).join(', ')})`);
  }
  builder.conditions.push(`(${alternatives.join(' OR ')})`);
}

function kindCondition(builder: FilterBuilder, kinds: readonly string[]): void {
  if (kinds.length === 0) return;
  builder.names['#kind'] = 'kind';
  const listed = `#kind IN (${placeholders(builder, 'kind', kinds).join(', ')})`;
  // Records written before kinds existed have no attribute: they are chat.
  builder.conditions.push(
    kinds.includes('chat') ? `(attribute_not_exists(#kind) OR ${listed})` : listed,
  );
}

function statusCondition(
  builder: FilterBuilder,
  statuses: NonNullable<UsageLogFilter['statuses']>,
): void {
  if (statuses.length === 0) return;
  builder.names['#status'] = 'status';
  const alternatives = statuses.map((status, index) => {
    if (status.kind === 'exact') {
      builder.values[`:status${index}`] = status.status;
      return `#status = :status${index}`;
    }
    builder.values[`:statusMin${index}`] = status.min;
    builder.values[`:statusMax${index}`] = status.max;
    return `#status BETWEEN :statusMin${index} AND :statusMax${index}`;
  });
  builder.conditions.push(`(${alternatives.join(' OR ')})`);
}

function tagConditions(builder: FilterBuilder, tags: NonNullable<UsageLogFilter['tags']>): void {
  Object.entries(tags).forEach(([key, tagValues], keyIndex) => {
    builder.names['#tags'] = 'tags';
    builder.names[`#tag${keyIndex}`] = key;
    const bound = placeholders(builder, `tag${keyIndex}_`, tagValues);
    builder.conditions.push(`#tags.#tag${keyIndex} IN (${bound.join(', ')})`);
  });
}

/** Window key condition plus the expiry and filter conditions, as one FilterExpression. */
function windowQuery(query: UsageLogQuery, nowEpochSeconds: number) {
  const builder: FilterBuilder = {
    conditions: ['#expires > :now'],
    names: { '#expires': 'expiresAtEpochSeconds' },
    values: {
      ':pk': accountPk(query.accountId),
      ':lo': `${REQUEST_SK_PREFIX}${query.fromIso}`,
      // `REQ#<to>#<id>` sorts after `REQ#<to>`, so records at exactly `to` are excluded.
      ':hi': `${REQUEST_SK_PREFIX}${query.toIso}`,
      ':now': nowEpochSeconds,
    },
  };
  const { filter } = query;
  anyOf(builder, 'model', filter.models ?? []);
  anyOf(builder, 'provider', filter.providers ?? []);
  requesterCondition(builder, filter.requesters ?? []);
  kindCondition(builder, filter.kinds ?? []);
  statusCondition(builder, filter.statuses ?? []);
  tagConditions(builder, filter.tags ?? {});
  return {
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
    FilterExpression: builder.conditions.join(' AND '),
    ExpressionAttributeNames: builder.names,
    ExpressionAttributeValues: builder.values,
  };
}

const hasFilter = (filter: UsageLogFilter): boolean =>
  [filter.models, filter.providers, filter.requesters, filter.statuses, filter.kinds].some(
    (list) => list !== undefined && list.length > 0,
  ) || Object.keys(filter.tags ?? {}).length > 0;

/** {@link UsageLogReader} on the `usage` table (items of DynamoUsageStore). */
export class DynamoUsageLogReader implements UsageLogReader {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #clock: Clock;

  constructor(options: DynamoUsageLogReaderOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#clock = options.clock ?? new SystemClock();
  }

  #nowEpochSeconds(): number {
    return Math.floor(this.#clock.nowMs() / 1000);
  }

  /**
   * Queries newest first from `after` (ExclusiveStartKey), paging until `limit + 1` matches are
   * found or the window ends: the extra match proves a next page exists, so `next` is exact.
   */
  async queryLogs(
    query: UsageLogQuery & { readonly after?: string; readonly limit: number },
  ): Promise<UsageLogPage> {
    if (query.limit < 1) return { records: [] };
    const base = windowQuery(query, this.#nowEpochSeconds());
    const pageItems = hasFilter(query.filter)
      ? Math.max(FILTERED_PAGE_ITEMS, query.limit + 1)
      : query.limit + 1;
    const items: Item[] = [];
    const pages = queryPages(this.#client, {
      TableName: this.#tableName,
      ...base,
      ScanIndexForward: false,
      Limit: pageItems,
      ExclusiveStartKey:
        query.after === undefined
          ? undefined
          : { pk: accountPk(query.accountId), sk: `${REQUEST_SK_PREFIX}${query.after}` },
    });
    for await (const page of pages) {
      items.push(...((page.Items ?? []) as Item[]));
      if (items.length > query.limit) break;
    }
    const page = items.slice(0, query.limit);
    const last = page.at(-1);
    return {
      records: page.map(toRecord),
      next:
        items.length > query.limit && last !== undefined
          ? String(last.sk).slice(REQUEST_SK_PREFIX.length)
          : undefined,
    };
  }

  /** `Select: COUNT` over the window, page by page (reads every item in the window). */
  async countLogs(query: UsageLogQuery): Promise<number> {
    const base = windowQuery(query, this.#nowEpochSeconds());
    let count = 0;
    const pages = queryPages(this.#client, {
      TableName: this.#tableName,
      ...base,
      Select: 'COUNT',
    });
    for await (const page of pages) count += page.Count ?? 0;
    return count;
  }

  /**
   * The keys-only index maps a request id to its item keys; only a key of the caller's
   * partition is read back (one Query on the exact key, expiry filtered).
   */
  async getLog(accountId: string, requestId: string): Promise<UsageRecord | undefined> {
    const pk = accountPk(accountId);
    const index = await dynamoCall('Query', () =>
      this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          IndexName: USAGE_BY_REQUEST_ID_INDEX,
          KeyConditionExpression: 'requestId = :id',
          ExpressionAttributeValues: { ':id': requestId },
        }),
      ),
    );
    const key = (index.Items ?? []).find((item) => item.pk === pk);
    if (key === undefined) return undefined;
    const output = await dynamoCall('Query', () =>
      this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: 'pk = :pk AND sk = :sk',
          FilterExpression: '#expires > :now',
          ExpressionAttributeNames: { '#expires': 'expiresAtEpochSeconds' },
          ExpressionAttributeValues: {
            ':pk': pk,
            ':sk': key.sk,
            ':now': this.#nowEpochSeconds(),
          },
          ConsistentRead: true,
        }),
      ),
    );
    const item = output.Items?.[0];
    return item === undefined ? undefined : toRecord(item);
  }
}
