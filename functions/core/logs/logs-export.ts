import {
  accountDisplayMoney,
  type DisplayMoney,
  type DisplayMoneyDeps,
} from '../currency/display-money.ts';
import type { Clock } from '../ports/clock.ts';
import type { TagRollupStore } from '../ports/tag-rollup-store.ts';
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
  /** The account's tag keys and when each was last seen: the CSV's `tag:<key>` columns. */
  readonly tagKeys: Pick<TagRollupStore, 'listTagKeys'>;
  readonly clock: Clock;
}

/** The export: the resolved window and the matching records, newest first, fetched lazily. */
export interface LogsExport {
  readonly window: ResolvedWindow;
  readonly records: AsyncIterable<UsageRecord>;
  readonly money: DisplayMoney;
  /** One `tag:<key>` column each, sorted: every key a record of the window may carry. */
  readonly tagKeys: readonly string[];
}

/** The CSV column of a tag key. */
export function tagColumn(key: string): string {
  return `tag:${key}`;
}

/** The Logs CSV export's use case for the signed-in account. */
export interface LogsExporter {
  /**
   * Every record matching the range and filters, newest first, read {@link EXPORT_BATCH_SIZE} at
   * a time as the consumer pulls (no size cap, bounded memory), with the money its costs are
   * shown in and the tag keys its records may carry: every key last seen at or after the window's
   * start (a key last seen before it cannot be on a record inside it) and the keys of the first
   * page.
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
      // The first page is read now: its keys join the columns (a key seen seconds ago may not
      // be in the account's key list yet), and the rest follows as the consumer pulls.
      const [first, known, money] = await Promise.all([
        deps.logs.queryLogs({ ...query, limit: EXPORT_BATCH_SIZE }),
        deps.tagKeys.listTagKeys(accountId),
        accountDisplayMoney(deps, accountId),
      ]);
      const tagKeys = new Set(
        known.filter(({ lastSeenAt }) => lastSeenAt >= window.fromIso).map(({ key }) => key),
      );
      for (const record of first.records) {
        for (const key of Object.keys(record.tags ?? {})) tagKeys.add(key);
      }
      async function* records(): AsyncGenerator<UsageRecord> {
        yield* first.records;
        let after = first.next;
        while (after !== undefined) {
          const page = await deps.logs.queryLogs({ ...query, limit: EXPORT_BATCH_SIZE, after });
          yield* page.records;
          after = page.next;
        }
      }
      return { window, records: records(), money, tagKeys: [...tagKeys].sort() };
    },
  };
}
