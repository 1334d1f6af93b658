import type { AppendOutcome, UsageRetention, UsageStore } from '#core/ports/usage-store.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import type { UsageFeed } from './usage-feed.ts';

/**
 * Local mode's usage store for the proxy and the trace sweeper: marks the record's hour for the
 * seal job (what a stream's durability gives AWS; once per account and hour, see
 * `UsageFeed.markBeforeAppend`), appends through the DynamoDB store, then publishes the stored
 * record to the usage feed, where AWS would emit the table's stream INSERT.
 */
export class FeedingUsageStore implements UsageStore {
  readonly #inner: UsageStore;
  readonly #feed: Pick<UsageFeed, 'publish' | 'markBeforeAppend'>;

  constructor(options: {
    inner: UsageStore;
    feed: Pick<UsageFeed, 'publish' | 'markBeforeAppend'>;
  }) {
    this.#inner = options.inner;
    this.#feed = options.feed;
  }

  /**
   * Publishes on `duplicate` too: the proxy retries an append only after an attempt failed, and
   * an attempt that stored the record but lost its answer was never published (in AWS its stream
   * INSERT exists). A record published twice is counted twice live; the aggregator's dirty marker
   * makes the seal job correct that hour.
   */
  async append(record: UsageRecord, retention: UsageRetention): Promise<AppendOutcome> {
    // The proxy appends once its answer is written: a turn later, that answer leaves the local
    // API Gateway's socket (corked until then) before this write's SDK work runs on the loop.
    await new Promise(setImmediate);
    await this.#feed.markBeforeAppend(record);
    const outcome = await this.#inner.append(record, retention);
    this.#feed.publish({ record, expiresAtEpochSeconds: retention.expiresAtEpochSeconds });
    return outcome;
  }

  listRecent(accountId: string, limit: number): Promise<UsageRecord[]> {
    return this.#inner.listRecent(accountId, limit);
  }
}
