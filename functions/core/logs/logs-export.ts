import {
  accountDisplayMoney,
  type DisplayMoney,
  type DisplayMoneyDeps,
} from '../currency/display-money.ts';
import type { Clock } from '../ports/clock.ts';
import type { UsageLogQuery, UsageLogReader } from '../ports/usage-log-reader.ts';
import type { UsageRecord } from '../usage/usage-record.ts';
import {
  type LogQueryInput,
  type ResolvedWindow,
  resolveWindow,
  toLogFilter,
} from './log-query.ts';

/** Records per store read while exporting: one page in memory at a time. */
export const EXPORT_BATCH_SIZE = 500;

export interface LogsExportDeps extends DisplayMoneyDeps {
  readonly logs: Pick<UsageLogReader, 'queryLogs'>;
  readonly clock: Clock;
}

/** The export: the resolved window and the matching records, newest first, fetched lazily. */
export interface LogsExport {
  readonly window: ResolvedWindow;
  readonly records: AsyncIterable<UsageRecord>;
  readonly money: DisplayMoney;
}

/** The Logs CSV export's use case for the signed-in account. */
export interface LogsExporter {
  /**
   * Every record matching the range and filters, newest first, read {@link EXPORT_BATCH_SIZE} at
   * a time as the consumer pulls (no size cap, bounded memory), with the money its costs are
   * shown in.
   * @throws InvalidRequestError for a bad range or status, before any record is read.
   */
  exportLogs(accountId: string, input: LogQueryInput): Promise<LogsExport>;
}

/** Builds the export over a {@link UsageLogReader}. */
export function createLogsExporter(deps: LogsExportDeps): LogsExporter {
  return {
    async exportLogs(accountId, input) {
      const window = resolveWindow(input, deps.clock.nowMs());
      const query: UsageLogQuery = {
        accountId,
        fromIso: window.fromIso,
        toIso: window.toIso,
        filter: toLogFilter(input),
      };
      async function* records(): AsyncGenerator<UsageRecord> {
        let after: string | undefined;
        do {
          const page = await deps.logs.queryLogs({
            ...query,
            limit: EXPORT_BATCH_SIZE,
            ...(after ? { after } : {}),
          });
          yield* page.records;
          after = page.next;
        } while (after !== undefined);
      }
      return { window, records: records(), money: await accountDisplayMoney(deps, accountId) };
    },
  };
}
