// RequestTraceWriter and RequestTraceSweepStore on DynamoDB: PutItem (trace, sweep cursor),
// Query (traces by arrival time, per shard), BatchGetItem (do their records exist), GetItem (cursor).
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  RequestTrace,
  RequestTraceSweepStore,
  RequestTraceWriter,
} from '#core/ports/request-trace-store.ts';
import { TRACE_LIFETIME_MS } from '#core/traces/trace-lifetime.ts';
import { dynamoCall, dynamoUnavailable } from './dynamo-errors.ts';
import { usageRecordFromItem, usageRecordKey } from './dynamo-usage-store.ts';
import { queryPages } from './query-pages.ts';

export interface DynamoRequestTraceStoreOptions {
  readonly client: DynamoDBDocumentClient;
  /** Physical name of the `usage` table: traces live beside the records they stand in for. */
  readonly tableName: string;
}

/**
 * Partitions the traces are spread over, so the proxy's trace writes never crowd one partition
 * (DynamoDB takes 1,000 writes per second per partition): 16 carry 16,000 requests per second.
 */
export const TRACE_SHARDS = 16;
const TRACE_PK_PREFIX = 'TRACE#';
const CURSOR_KEY = { pk: 'TRACE-SWEEP', sk: 'CURSOR' } as const;
/** BatchGetItem's limit of keys per call. */
const BATCH_GET_KEYS = 100;
const BATCH_GET_ROUNDS = 5;

/** FNV-1a over the request id: spreads ids of any shape evenly over the shards. */
function shardOf(requestId: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < requestId.length; index += 1) {
    hash = Math.imul(hash ^ requestId.charCodeAt(index), 0x01000193) >>> 0;
  }
  return String(hash % TRACE_SHARDS).padStart(2, '0');
}

/**
 * `pk=TRACE#<shard>, sk=<at>#<requestId>` (no `REQ#` prefix: the usage aggregator's stream
 * filter, the seal job and re-pricing never see traces) holding the record to write as a map
 * under `record` (no top-level `requestId`: the sparse `byRequestId` index gets no entry), its
 * retention, and `expiresAtEpochSeconds` (the table's TTL) {@link TRACE_LIFETIME_MS} after the
 * request. Readers of records never read `TRACE#` partitions.
 */
function toItem(trace: RequestTrace): Record<string, unknown> {
  const { record, retention } = trace;
  const { costPicoUsd, ...rest } = record;
  return {
    pk: `${TRACE_PK_PREFIX}${shardOf(record.requestId)}`,
    sk: `${record.at}#${record.requestId}`,
    record: { ...rest, ...(costPicoUsd === null ? {} : { costPicoUsd }) },
    recordExpiresAtEpochSeconds: retention.expiresAtEpochSeconds,
    expiresAtEpochSeconds: Math.floor((Date.parse(record.at) + TRACE_LIFETIME_MS) / 1000),
  };
}

function fromItem(item: Readonly<Record<string, unknown>>): RequestTrace {
  return {
    record: usageRecordFromItem(item.record as Record<string, unknown>),
    retention: { expiresAtEpochSeconds: Number(item.recordExpiresAtEpochSeconds) },
  };
}

const keyText = (key: { readonly pk: unknown; readonly sk: unknown }) => `${key.pk}|${key.sk}`;

/** Request traces in the `usage` table, for the proxy (put) and the trace sweeper. */
export class DynamoRequestTraceStore implements RequestTraceWriter, RequestTraceSweepStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoRequestTraceStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  /** One unconditional PutItem (under 1 KB: 1 WRU, no index entry). */
  async put(trace: RequestTrace): Promise<void> {
    await dynamoCall('PutItem', () =>
      this.#client.send(new PutCommand({ TableName: this.#tableName, Item: toItem(trace) })),
    );
  }

  async sweptThroughMs(): Promise<number | undefined> {
    const output = await dynamoCall('GetItem', () =>
      this.#client.send(
        new GetCommand({ TableName: this.#tableName, Key: CURSOR_KEY, ConsistentRead: true }),
      ),
    );
    const value = output.Item?.sweptThroughMs;
    return value === undefined ? undefined : Number(value);
  }

  async setSweptThrough(ms: number): Promise<void> {
    await dynamoCall('PutItem', () =>
      this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { ...CURSOR_KEY, sweptThroughMs: ms },
        }),
      ),
    );
  }

  /** One Query per shard on the sort key's arrival time (eventually consistent). */
  async *tracesBetween(fromMs: number, toMs: number): AsyncIterable<readonly RequestTrace[]> {
    for (let shard = 0; shard < TRACE_SHARDS; shard += 1) {
      const pages = queryPages(this.#client, {
        TableName: this.#tableName,
        // `<at>#<id>` sorts after `<at>`: the upper bound excludes requests that arrived at `toMs`.
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': `${TRACE_PK_PREFIX}${String(shard).padStart(2, '0')}`,
          ':from': new Date(fromMs).toISOString(),
          ':to': new Date(toMs).toISOString(),
        },
      });
      for await (const page of pages) {
        const items = page.Items ?? [];
        if (items.length > 0) yield items.map(fromItem);
      }
    }
  }

  /** BatchGetItem of the records' keys, 100 per call, eventually consistent (0.5 RRU each). */
  async withoutRecord(traces: readonly RequestTrace[]): Promise<RequestTrace[]> {
    const keys = [
      ...new Map(
        traces.map((trace) => {
          const key = usageRecordKey(trace.record);
          return [keyText(key), key] as const;
        }),
      ).values(),
    ];
    const chunks: (typeof keys)[] = [];
    for (let start = 0; start < keys.length; start += BATCH_GET_KEYS) {
      chunks.push(keys.slice(start, start + BATCH_GET_KEYS));
    }
    const found = new Set((await Promise.all(chunks.map((chunk) => this.#existing(chunk)))).flat());
    return traces.filter((trace) => !found.has(keyText(usageRecordKey(trace.record))));
  }

  /** The keys among `keys` whose item exists, following UnprocessedKeys a few rounds. */
  async #existing(keys: readonly { pk: string; sk: string }[]): Promise<string[]> {
    const existing: string[] = [];
    let pending: Record<string, unknown>[] = [...keys];
    for (let round = 0; round < BATCH_GET_ROUNDS && pending.length > 0; round += 1) {
      const output = await dynamoCall('BatchGetItem', () =>
        this.#client.send(
          new BatchGetCommand({
            RequestItems: {
              [this.#tableName]: { Keys: pending, ProjectionExpression: 'pk, sk' },
            },
          }),
        ),
      );
      for (const item of output.Responses?.[this.#tableName] ?? []) {
        existing.push(keyText(item as { pk: unknown; sk: unknown }));
      }
      pending = output.UnprocessedKeys?.[this.#tableName]?.Keys ?? [];
      // Keys left unprocessed mean the table is busy: back off before asking again.
      if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** round));
    }
    if (pending.length > 0) throw dynamoUnavailable('BatchGetItem', { retryable: true });
    return existing;
  }
}
