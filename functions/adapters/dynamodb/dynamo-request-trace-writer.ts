// RequestTraceWriter on DynamoDB: one PutItem per request, a DeleteItem for one that never went
// upstream (the proxy's side; imports only the commands the proxy's lean DynamoDB client has).
// The sweeper's side is dynamo-request-trace-store.
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { RequestTrace, RequestTraceWriter } from '#core/ports/request-trace-store.ts';
import { TRACE_LIFETIME_MS } from '#core/traces/trace-lifetime.ts';
import { dynamoCall } from './dynamo-errors.ts';
import { TRACE_PK_PREFIX } from './table-definitions.ts';

export interface DynamoRequestTraceWriterOptions {
  readonly client: DynamoDBDocumentClient;
  /** Physical name of the `usage` table: traces live beside the records they stand in for. */
  readonly tableName: string;
}

/**
 * Partitions the traces are spread over, so the proxy's trace writes never crowd one partition
 * (DynamoDB takes 1,000 writes per second per partition): 16 carry 16,000 requests per second.
 */
export const TRACE_SHARDS = 16;

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
export function toItem(trace: RequestTrace): Record<string, unknown> {
  const { record, retention } = trace;
  const { costPicoUsd, ...rest } = record;
  return {
    ...traceKey(trace),
    record: { ...rest, ...(costPicoUsd === null ? {} : { costPicoUsd }) },
    recordExpiresAtEpochSeconds: retention.expiresAtEpochSeconds,
    expiresAtEpochSeconds: Math.floor((Date.parse(record.at) + TRACE_LIFETIME_MS) / 1000),
  };
}

function traceKey({ record }: RequestTrace): { pk: string; sk: string } {
  return {
    pk: `${TRACE_PK_PREFIX}${shardOf(record.requestId)}`,
    sk: `${record.at}#${record.requestId}`,
  };
}

/** Writes request traces into the `usage` table (the proxy). */
export class DynamoRequestTraceWriter implements RequestTraceWriter {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoRequestTraceWriterOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  /** One unconditional PutItem (under 1 KB: 1 WRU, no index entry). */
  async put(trace: RequestTrace): Promise<void> {
    await dynamoCall('PutItem', () =>
      this.#client.send(new PutCommand({ TableName: this.#tableName, Item: toItem(trace) })),
    );
  }

  /** One unconditional DeleteItem (1 WRU). */
  async discard(trace: RequestTrace): Promise<void> {
    await dynamoCall('DeleteItem', () =>
      this.#client.send(new DeleteCommand({ TableName: this.#tableName, Key: traceKey(trace) })),
    );
  }
}
