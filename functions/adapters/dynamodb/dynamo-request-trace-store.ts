// RequestTraceWriter and RequestTraceSweepStore on DynamoDB: PutItem (trace, sweep cursor), DeleteItem,
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
import { dynamoCall, dynamoUnavailable } from './dynamo-errors.ts';
import { DynamoRequestTraceWriter, TRACE_SHARDS } from './dynamo-request-trace-writer.ts';
import { usageRecordFromItem, usageRecordKey } from './dynamo-usage-store.ts';
import { queryPages } from './query-pages.ts';
import { TRACE_PK_PREFIX } from './table-definitions.ts';

export interface DynamoRequestTraceStoreOptions {
  readonly client: DynamoDBDocumentClient;
  /** Physical name of the `usage` table: traces live beside the records they stand in for. */
  readonly tableName: string;
}

const CURSOR_KEY = { pk: 'TRACE-SWEEP', sk: 'CURSOR' } as const;
/** BatchGetItem's limit of keys per call. */
const BATCH_GET_KEYS = 100;
const BATCH_GET_ROUNDS = 5;

function fromItem(item: Readonly<Record<string, unknown>>): RequestTrace {
  return {
    record: usageRecordFromItem(item.record as Record<string, unknown>),
    retention: { expiresAtEpochSeconds: Number(item.recordExpiresAtEpochSeconds) },
  };
}

const keyText = (key: { readonly pk: unknown; readonly sk: unknown }) => `${key.pk}|${key.sk}`;

/** Request traces in the `usage` table, for the proxy (put) and the trace sweeper. */
export class DynamoRequestTraceStore implements RequestTraceWriter, RequestTraceSweepStore {
  readonly #writer: DynamoRequestTraceWriter;
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoRequestTraceStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#writer = new DynamoRequestTraceWriter(options);
  }

  put(trace: RequestTrace): Promise<void> {
    return this.#writer.put(trace);
  }

  discard(trace: RequestTrace): Promise<void> {
    return this.#writer.discard(trace);
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
