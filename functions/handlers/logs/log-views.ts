import type { LogDetail, LogRow } from '#contracts/logs-api.ts';
import { LOGS_CSV_COLUMNS } from '#contracts/logs-api.ts';
import { type CsvCell, csvLine } from '#core/logs/csv.ts';
import { exactUsd } from '#core/logs/logs-service.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';

/** A usage record as a Logs table row (`logRowSchema`). */
export function toLogRow(record: UsageRecord): LogRow {
  return {
    requestId: record.requestId,
    at: record.at,
    status: record.status,
    provider: record.provider,
    model: record.model,
    requester: record.requester ?? null,
    inputTokens: record.inputTokens,
    outputTokens: record.outputTokens,
    totalTokens: record.totalTokens,
    costUsd: exactUsd(record.costPicoUsd),
    latencyMs: record.latencyMs,
    cached: record.cached,
    streamed: record.streamed,
    mode: record.mode,
  };
}

/** A usage record for the detail view (`logDetailSchema`). */
export function toLogDetail(record: UsageRecord): LogDetail {
  return {
    ...toLogRow(record),
    errorSource: record.errorSource ?? null,
    errorMessage: record.errorMessage ?? null,
    cacheReadTokens: record.cacheReadTokens,
    cacheWriteTokens: record.cacheWriteTokens,
    timeToFirstTokenMs: record.timeToFirstTokenMs ?? null,
    priceVersion: record.priceVersion,
  };
}

const CELLS = {
  request_id: (r) => r.requestId,
  timestamp: (r) => r.at,
  status: (r) => r.status,
  provider: (r) => r.provider,
  model: (r) => r.model,
  requester: (r) => r.requester,
  input_tokens: (r) => r.inputTokens,
  output_tokens: (r) => r.outputTokens,
  cache_read_tokens: (r) => r.cacheReadTokens,
  cache_write_tokens: (r) => r.cacheWriteTokens,
  total_tokens: (r) => r.totalTokens,
  cost_usd: (r) => exactUsd(r.costPicoUsd),
  latency_ms: (r) => r.latencyMs,
  time_to_first_token_ms: (r) => r.timeToFirstTokenMs,
  cached: (r) => r.cached,
  streamed: (r) => r.streamed,
  mode: (r) => r.mode,
  error_source: (r) => r.errorSource,
  error_message: (r) => r.errorMessage,
} as const satisfies Record<(typeof LOGS_CSV_COLUMNS)[number], (record: UsageRecord) => CsvCell>;

/** The CSV header row (CRLF-terminated). */
export const LOGS_CSV_HEADER = csvLine(LOGS_CSV_COLUMNS);

/** One record as a CSV line in `LOGS_CSV_COLUMNS` order; empty cells for absent values. */
export function toLogCsvLine(record: UsageRecord): string {
  return csvLine(LOGS_CSV_COLUMNS.map((column) => CELLS[column](record)));
}

/** Lines are joined up to this many characters per chunk written to the response. */
const CHUNK_CHARS = 64 * 1024;

/**
 * The CSV as a pull-based byte stream: the header, then records as the consumer reads, so at
 * most one store page and one chunk are in memory. Cancelling stops the record source.
 */
export function logsCsvStream(records: AsyncIterable<UsageRecord>): ReadableStream<Uint8Array> {
  const iterator = records[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(LOGS_CSV_HEADER));
        return;
      }
      let chunk = '';
      while (chunk.length < CHUNK_CHARS) {
        const next = await iterator.next();
        if (next.done) {
          if (chunk.length > 0) controller.enqueue(encoder.encode(chunk));
          controller.close();
          return;
        }
        chunk += toLogCsvLine(next.value);
      }
      controller.enqueue(encoder.encode(chunk));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}
