import { LOGS_CSV_COLUMNS } from '#contracts/logs-api.ts';
import type { DisplayMoney } from '#core/currency/display-money.ts';
import { exactUsd } from '#core/currency/money-text.ts';
import { type CsvCell, csvLine } from '#core/logs/csv.ts';
import { convertedCost } from '#core/logs/log-views.ts';
import { tagColumn } from '#core/logs/logs-export.ts';
import { type UsageRecord, usageKindOf } from '#core/usage/usage-record.ts';

type CellOf = (record: UsageRecord, money: DisplayMoney) => CsvCell;

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
  cost: convertedCost,
  currency: (_, money) => money.currency,
  fx_rate: (_, money) => money.fx.rate,
  fx_rate_date: (_, money) => money.fx.rateDate,
  latency_ms: (r) => r.latencyMs,
  time_to_first_token_ms: (r) => r.timeToFirstTokenMs,
  cached: (r) => r.cached,
  streamed: (r) => r.streamed,
  mode: (r) => r.mode,
  error_source: (r) => r.errorSource,
  error_message: (r) => r.errorMessage,
  estimated: (r) => r.estimated ?? false,
  kind: (r) => usageKindOf(r.kind),
  service_tier: (r) => r.serviceTier,
  tier_unpriced: (r) => r.tierUnpriced === true,
  cache_write_5m_tokens: (r) => r.cacheWrite5mTokens,
  cache_write_1h_tokens: (r) => r.cacheWrite1hTokens,
} as const satisfies Record<(typeof LOGS_CSV_COLUMNS)[number], CellOf>;

/** The CSV header row (CRLF-terminated): the fixed columns, then `tag:<key>` per tag key. */
export function logsCsvHeader(tagKeys: readonly string[] = []): string {
  return csvLine([...LOGS_CSV_COLUMNS, ...tagKeys.map(tagColumn)]);
}

/**
 * One record as a CSV line in `LOGS_CSV_COLUMNS` order, then its value of each tag key (empty
 * when it has none); empty cells for absent values.
 */
export function toLogCsvLine(
  record: UsageRecord,
  money: DisplayMoney,
  tagKeys: readonly string[] = [],
): string {
  const cells: CsvCell[] = LOGS_CSV_COLUMNS.map((column) => CELLS[column](record, money));
  const tags = record.tags ?? {};
  for (const key of tagKeys) cells.push(Object.hasOwn(tags, key) ? tags[key] : undefined);
  return csvLine(cells);
}

/** Lines are joined up to this many characters per chunk written to the response. */
const CHUNK_CHARS = 64 * 1024;

/**
 * The CSV as a pull-based byte stream: the header, then records as the consumer reads, so at
 * most one store page and one chunk are in memory. Cancelling stops the record source.
 */
export function logsCsvStream(
  records: AsyncIterable<UsageRecord>,
  money: DisplayMoney,
  tagKeys: readonly string[] = [],
): ReadableStream<Uint8Array> {
  const iterator = records[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(logsCsvHeader(tagKeys)));
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
        chunk += toLogCsvLine(next.value, money, tagKeys);
      }
      controller.enqueue(encoder.encode(chunk));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}
