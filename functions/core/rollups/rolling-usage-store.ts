import type { Logger } from '../ports/logger.ts';
import type { RollupStore } from '../ports/rollup-store.ts';
import type { AppendOutcome, UsageRetention, UsageStore } from '../ports/usage-store.ts';
import type { UsageRecord } from '../usage/usage-record.ts';
import { bucketStartMs } from './buckets.ts';

/** The two live writes the proxy's append makes. */
type LiveRollupWrites = Pick<RollupStore, 'markDirty' | 'addLive'>;

/**
 * A {@link UsageStore} that also keeps the rollups current: after the inner store *appended*
 * a record (not a duplicate), it applies the live rollup ADDs. Rollup failures are logged and
 * swallowed: the record is stored, and the seal job recomputes the hour from the raw records.
 * The proxy core never learns about rollups; the composition roots wrap its store.
 */
export class RollingUsageStore implements UsageStore {
  readonly #inner: UsageStore;
  readonly #rollups: LiveRollupWrites;
  readonly #logger: Logger;

  constructor(options: { inner: UsageStore; rollups: LiveRollupWrites; logger: Logger }) {
    this.#inner = options.inner;
    this.#rollups = options.rollups;
    this.#logger = options.logger;
  }

  /**
   * Marks the record's hour dirty, appends through the inner store, then (only for a new record)
   * adds it to the rollups. The first marker covers a crash between the append and the ADDs;
   * the one `addLive` writes last covers a seal that ran between the two.
   */
  async append(record: UsageRecord, retention: UsageRetention): Promise<AppendOutcome> {
    try {
      await this.#rollups.markDirty(record.accountId, bucketStartMs(Date.parse(record.at), 'hour'));
    } catch (error) {
      this.#logger.warn('dirty marker before append failed; the live update will set it', {
        requestId: record.requestId,
        error: error instanceof Error ? error.name : 'unknown',
      });
    }
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
