import { SystemClock } from '#adapters/system/system-clock.ts';
import { recordMatches } from '#core/logs/log-query.ts';
import type { Clock } from '#core/ports/clock.ts';
import type { UsageLogPage, UsageLogQuery, UsageLogReader } from '#core/ports/usage-log-reader.ts';
import type { UsageRetention } from '#core/ports/usage-store.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';

export interface InMemoryUsageLogOptions {
  /** Decides which records have expired. @default - the system clock */
  readonly clock?: Clock;
}

interface Stored {
  /** `<at>#<requestId>`, the position DynamoUsageLogReader uses too. */
  readonly position: string;
  readonly record: UsageRecord;
  readonly expiresAtEpochSeconds: number;
}

/**
 * UsageLogReader in memory (with an `append` to fill it), passing the same contract suite as
 * DynamoUsageLogReader: window `[from, to)`, newest first, exact filters, expired records hidden.
 */
export class InMemoryUsageLog implements UsageLogReader {
  readonly #clock: Clock;
  readonly #stored = new Map<string, Stored>();

  constructor(options: InMemoryUsageLogOptions = {}) {
    this.#clock = options.clock ?? new SystemClock();
  }

  /** Stores a record once per (account, position), like the usage table's conditional put. */
  async append(record: UsageRecord, retention: UsageRetention): Promise<void> {
    const position = `${record.at}#${record.requestId}`;
    const key = `${record.accountId}|${position}`;
    if (this.#stored.has(key)) return;
    this.#stored.set(key, {
      position,
      record: structuredClone(record),
      expiresAtEpochSeconds: retention.expiresAtEpochSeconds,
    });
  }

  #matching(query: UsageLogQuery): Stored[] {
    const nowEpochSeconds = Math.floor(this.#clock.nowMs() / 1000);
    const { filter } = query;
    return [...this.#stored.values()]
      .filter(
        ({ record, expiresAtEpochSeconds }) =>
          record.accountId === query.accountId &&
          expiresAtEpochSeconds > nowEpochSeconds &&
          record.at >= query.fromIso &&
          record.at < query.toIso &&
          recordMatches(filter, record),
      )
      .sort((a, b) => (a.position < b.position ? 1 : -1));
  }

  async queryLogs(
    query: UsageLogQuery & { readonly after?: string; readonly limit: number },
  ): Promise<UsageLogPage> {
    if (query.limit < 1) return { records: [] };
    const { after } = query;
    const rest = this.#matching(query).filter(
      (stored) => after === undefined || stored.position < after,
    );
    const page = rest.slice(0, query.limit);
    const last = page.at(-1);
    return {
      records: page.map((stored) => structuredClone(stored.record)),
      ...(rest.length > query.limit && last !== undefined ? { next: last.position } : {}),
    };
  }

  async countLogs(query: UsageLogQuery): Promise<number> {
    return this.#matching(query).length;
  }

  async getLog(accountId: string, requestId: string): Promise<UsageRecord | undefined> {
    const nowEpochSeconds = Math.floor(this.#clock.nowMs() / 1000);
    const found = [...this.#stored.values()].find(
      ({ record, expiresAtEpochSeconds }) =>
        record.accountId === accountId &&
        record.requestId === requestId &&
        expiresAtEpochSeconds > nowEpochSeconds,
    );
    return found === undefined ? undefined : structuredClone(found.record);
  }
}
