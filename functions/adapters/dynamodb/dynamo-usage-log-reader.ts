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

interface Expression {
  readonly filter: string;
  readonly names: Record<string, string>;
  readonly values: Record<string, unknown>;
}

/** Window key condition plus the expiry and filter conditions, as one FilterExpression. */
function windowQuery(query: UsageLogQuery, nowEpochSeconds: number) {
  const conditions = ['#expires > :now'];
  const names: Record<string, string> = { '#expires': 'expiresAtEpochSeconds' };
  const values: Record<string, unknown> = {
    ':pk': accountPk(query.accountId),
    ':lo': `${REQUEST_SK_PREFIX}${query.fromIso}`,
    // `REQ#<to>#<id>` sorts after `REQ#<to>`, so records at exactly `to` are excluded.
    ':hi': `${REQUEST_SK_PREFIX}${query.toIso}`,
    ':now': nowEpochSeconds,
  };
  const {
    models = [],
    providers = [],
    requesters = [],
    statuses = [],
    kinds = [],
    tags = {},
  } = query.filter;
  const anyOf = (field: string, list: readonly unknown[]) => {
    if (list.length === 0) return;
    names[`#${field}`] = field;
    const placeholders = list.map((value, index) => {
      values[`:${field}${index}`] = value;
      return `:${field}${index}`;
    });
    conditions.push(`#${field} IN (${placeholders.join(', ')})`);
  };
  anyOf('model', models);
  anyOf('provider', providers);
  const named = requesters.filter((value) => value !== null);
  if (requesters.includes(null)) {
    names['#requester'] = 'requester';
    const alternatives = ['attribute_not_exists(#requester)'];
    if (named.length > 0) {
      alternatives.push(
        `#requester IN (${named
          .map((value, index) => {
            values[`:requester${index}`] = value;
            return `:requester${index}`;
          })
          .join(', ')})`,
      );
    }
    conditions.push(`(${alternatives.join(' OR ')})`);
  } else {
    anyOf('requester', named);
  }
  if (kinds.length > 0) {
    names['#kind'] = 'kind';
    const placeholders = kinds.map((kind, index) => {
      values[`:kind${index}`] = kind;
      return `:kind${index}`;
    });
    const listed = `#kind IN (${placeholders.join(', ')})`;
    // Records written before kinds existed have no attribute: they are chat.
    conditions.push(kinds.includes('chat') ? `(attribute_not_exists(#kind) OR ${listed})` : listed);
  }
  if (statuses.length > 0) {
    names['#status'] = 'status';
    const alternatives = statuses.map((status, index) => {
      if (status.kind === 'exact') {
        values[`:status${index}`] = status.status;
        return `#status = :status${index}`;
      }
      values[`:statusMin${index}`] = status.min;
      values[`:statusMax${index}`] = status.max;
      return `#status BETWEEN :statusMin${index} AND :statusMax${index}`;
    });
    conditions.push(`(${alternatives.join(' OR ')})`);
  }
  Object.entries(tags).forEach(([key, tagValues], keyIndex) => {
    names['#tags'] = 'tags';
    names[`#tag${keyIndex}`] = key;
    const placeholders = tagValues.map((value, index) => {
      values[`:tag${keyIndex}_${index}`] = value;
      return `:tag${keyIndex}_${index}`;
    });
    conditions.push(`#tags.#tag${keyIndex} IN (${placeholders.join(', ')})`);
  });
  const expression: Expression = { filter: conditions.join(' AND '), names, values };
  return {
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
    FilterExpression: expression.filter,
    ExpressionAttributeNames: expression.names,
    ExpressionAttributeValues: expression.values,
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
      ...(query.after === undefined
        ? {}
        : {
            ExclusiveStartKey: {
              pk: accountPk(query.accountId),
              sk: `${REQUEST_SK_PREFIX}${query.after}`,
            },
          }),
    });
    for await (const page of pages) {
      items.push(...((page.Items ?? []) as Item[]));
      if (items.length > query.limit) break;
    }
    const page = items.slice(0, query.limit);
    const last = page.at(-1);
    return {
      records: page.map(toRecord),
      ...(items.length > query.limit && last !== undefined
        ? { next: String(last.sk).slice(REQUEST_SK_PREFIX.length) }
        : {}),
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
