import type { Logger } from '../ports/logger.ts';
import type { RollupStore } from '../ports/rollup-store.ts';
import type { AppendOutcome, UsageRetention, UsageStore } from '../ports/usage-store.ts';
import type { UsageRecord } from '../usage/usage-record.ts';

/**
 * A {@link UsageStore} that also keeps the rollups current: after the inner store *appended*
 * a record (not a duplicate), it applies the live rollup ADDs. Rollup failures are logged and
 * swallowed: the record is stored, and the seal job recomputes the hour from the raw records.
 * The proxy core never learns about rollups; the composition roots wrap its store.
 */
export class RollingUsageStore implements UsageStore {
  readonly #inner: UsageStore;
  readonly #rollups: RollupStore;
  readonly #logger: Logger;

  constructor(options: { inner: UsageStore; rollups: RollupStore; logger: Logger }) {
    this.#inner = options.inner;
    this.#rollups = options.rollups;
    this.#logger = options.logger;
  }

  /** Appends through the inner store, then (only for a new record) adds it to the rollups. */
  async append(record: UsageRecord, retention: UsageRetention): Promise<AppendOutcome> {
    const outcome = await this.#inner.append(record, retention);
    if (outcome === 'appended') {
      try {
        await this.#rollups.addLive(record, retention);
      } catch (error) {
        this.#logger.warn('live rollup update failed; the seal job will repair the hour', {
          requestId: record.requestId,
          error: error instanceof Error ? error.name : 'unknown',
        });
      }
    }
    return outcome;
  }

  /** Delegates to the inner store. */
  listRecent(accountId: string, limit: number): Promise<UsageRecord[]> {
    return this.#inner.listRecent(accountId, limit);
  }
}
