import { SystemClock } from '#adapters/system/system-clock.ts';
import type { Clock } from '#core/ports/clock.ts';
import type { AppendOutcome, UsageRetention, UsageStore } from '#core/ports/usage-store.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';

export interface InMemoryUsageStoreOptions {
  /** Decides which records have expired. @default - the system clock */
  readonly clock?: Clock;
}

interface Stored {
  readonly sortKey: string;
  readonly record: UsageRecord;
  readonly expiresAtEpochSeconds: number;
}

/**
 * UsageStore in memory, passing the same contract suite as DynamoUsageStore: idempotent on
 * (account, at, requestId), newest first, records visible while `expiresAtEpochSeconds` is
 * after now.
 */
export class InMemoryUsageStore implements UsageStore {
  readonly #clock: Clock;
  readonly #byAccount = new Map<string, Map<string, Stored>>();

  constructor(options: InMemoryUsageStoreOptions = {}) {
    this.#clock = options.clock ?? new SystemClock();
  }

  async append(record: UsageRecord, retention: UsageRetention): Promise<AppendOutcome> {
    let records = this.#byAccount.get(record.accountId);
    if (records === undefined) {
      records = new Map();
      this.#byAccount.set(record.accountId, records);
    }
    const sortKey = `${record.at}#${record.requestId}`;
    if (records.has(sortKey)) return 'duplicate';
    records.set(sortKey, {
      sortKey,
      record: structuredClone(record),
      expiresAtEpochSeconds: retention.expiresAtEpochSeconds,
    });
    return 'appended';
  }

  /** Unexpired records of an account with `at` in `[fromMs, toMs)`, with their expiry. */
  storedBetween(
    accountId: string,
    fromMs: number,
    toMs: number,
  ): { record: UsageRecord; expiresAtEpochSeconds: number }[] {
    const nowEpochSeconds = Math.floor(this.#clock.nowMs() / 1000);
    return [...(this.#byAccount.get(accountId)?.values() ?? [])]
      .filter((stored) => {
        const atMs = Date.parse(stored.record.at);
        return stored.expiresAtEpochSeconds > nowEpochSeconds && atMs >= fromMs && atMs < toMs;
      })
      .map((stored) => ({
        record: structuredClone(stored.record),
        expiresAtEpochSeconds: stored.expiresAtEpochSeconds,
      }));
  }

  /** Every account's unexpired records with `at` in `[fromMs, toMs)` (`RepriceStore`'s read). */
  async *recordsBetween(fromMs: number, toMs: number): AsyncIterable<UsageRecord> {
    for (const accountId of this.#byAccount.keys()) {
      for (const { record } of this.storedBetween(accountId, fromMs, toMs)) yield record;
    }
  }

  async listRecent(accountId: string, limit: number): Promise<UsageRecord[]> {
    if (limit < 1) return [];
    const nowEpochSeconds = Math.floor(this.#clock.nowMs() / 1000);
    return [...(this.#byAccount.get(accountId)?.values() ?? [])]
      .filter((stored) => stored.expiresAtEpochSeconds > nowEpochSeconds)
      .sort((a, b) => (a.sortKey < b.sortKey ? 1 : -1))
      .slice(0, limit)
      .map((stored) => structuredClone(stored.record));
  }
}
