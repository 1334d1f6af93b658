import { SystemClock } from '#adapters/system/system-clock.ts';
import type { Clock } from '#core/ports/clock.ts';
import type { Logger } from '#core/ports/logger.ts';
import { type AggregateUsageDeps, aggregateUsage } from '#core/rollups/aggregate-usage.ts';
import { bucketStartMs } from '#core/rollups/buckets.ts';
import type { StoredUsageRecord } from '#core/rollups/rollup.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';

export interface UsageFeedOptions {
  /** The same stores and core function the aggregator Lambda uses. */
  readonly aggregator: AggregateUsageDeps;
  readonly logger: Logger;
  /** The batching window: a batch is delivered this long after its first record. @default 250 */
  readonly batchWindowMs?: number;
  /** A batch is delivered at once when this many records wait. @default 100 */
  readonly maxBatchSize?: number;
  /** Tells the current hour, whose markers the feed remembers. @default SystemClock */
  readonly clock?: Clock;
}

/** The batching window of local mode (the Lambda event source's is 1 s). */
export const LOCAL_USAGE_BATCH_WINDOW_MS = 250;
const DEFAULT_MAX_BATCH_SIZE = 100;

/**
 * Local mode's stand-in for the usage table's DynamoDB Stream and the aggregator's event source
 * (dynalite has no Streams): appended records queue in order, and batches go to the same
 * `aggregateUsage` as in AWS, one at a time like a stream shard. A batch is delivered when
 * `maxBatchSize` records wait or `batchWindowMs` after its first record. When a batch reports
 * `retryFrom`, its rest stays at the head of the queue and is delivered again at the next window,
 * as Lambda retries a stream from the reported record.
 */
export class UsageFeed {
  readonly #aggregator: AggregateUsageDeps;
  readonly #logger: Logger;
  readonly #windowMs: number;
  readonly #maxBatchSize: number;
  readonly #clock: Clock;
  readonly #queue: StoredUsageRecord[] = [];
  /** The current hour's markers this process has set (or is setting), by account. */
  readonly #marked = new Map<string, Promise<void>>();
  #markedHourMs = Number.NaN;
  #timer: NodeJS.Timeout | undefined;
  #delivering: Promise<void> | undefined;
  #closed = false;

  constructor(options: UsageFeedOptions) {
    this.#aggregator = options.aggregator;
    this.#logger = options.logger;
    this.#windowMs = options.batchWindowMs ?? LOCAL_USAGE_BATCH_WINDOW_MS;
    this.#maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
    this.#clock = options.clock ?? new SystemClock();
  }

  /** Records waiting for delivery (including a failed batch's rest). */
  get pending(): number {
    return this.#queue.length;
  }

  /**
   * Marks the record's account-hour dirty before the record is stored. A DynamoDB Stream keeps
   * every insert; this feed's queue dies with the process, so a record stored by a process
   * killed before delivery would never reach the rollups. With the marker set first, the seal
   * job recomputes that hour from the raw records, the stored one included.
   *
   * A marker of the current hour is written once per account and process: only a seal clears
   * markers, this process's seal tells the feed first ({@link forgetMarker}), and a seal of
   * another process (`npm run admin` reprice, reseal) clears only hours closed for its grace
   * period.
   * Markers of other hours (the trace sweeper's records, a request across the hour) are always
   * written.
   */
  markBeforeAppend(record: Pick<UsageRecord, 'accountId' | 'at'>): Promise<void> {
    const hourMs = bucketStartMs(Date.parse(record.at), 'hour');
    const mark = () => this.#aggregator.rollups.markDirty(record.accountId, hourMs);
    const currentHourMs = bucketStartMs(this.#clock.nowMs(), 'hour');
    if (hourMs !== currentHourMs) return mark();
    if (currentHourMs !== this.#markedHourMs) {
      this.#marked.clear();
      this.#markedHourMs = currentHourMs;
    }
    const known = this.#marked.get(record.accountId);
    if (known !== undefined) return known;
    const marking = mark().catch((error: unknown) => {
      if (this.#marked.get(record.accountId) === marking) this.#marked.delete(record.accountId);
      throw error;
    });
    this.#marked.set(record.accountId, marking);
    return marking;
  }

  /** Called before a seal clears an account-hour's marker: the next record there sets it again. */
  forgetMarker(accountId: string, hourMs: number): void {
    if (hourMs === this.#markedHourMs) this.#marked.delete(accountId);
  }

  /** Queues an appended record; delivery follows within the batching window. */
  publish(stored: StoredUsageRecord): void {
    if (this.#closed) {
      // Only while shutting down: the hour has no marker, so name it for a reseal.
      this.#logger.warn('usage feed closed; record not aggregated', {
        requestId: stored.record.requestId,
        at: stored.record.at,
      });
      return;
    }
    this.#queue.push(stored);
    this.#schedule(this.#queue.length >= this.#maxBatchSize ? 0 : this.#windowMs);
  }

  /**
   * Delivers everything queued now and resolves when the queue is empty, or when a batch failed
   * (its rest stays queued and is retried at the next window).
   */
  async drain(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#deliver();
  }

  /** Drains, then stops accepting records (before the stores close). */
  async close(): Promise<void> {
    await this.drain();
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #schedule(delayMs: number): void {
    if (this.#timer !== undefined && delayMs > 0) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#deliver();
    }, delayMs);
    this.#timer.unref();
  }

  /** One delivery loop at a time, so batches stay in append order. */
  #deliver(): Promise<void> {
    this.#delivering ??= this.#deliverQueued().finally(() => {
      this.#delivering = undefined;
      if (this.#queue.length > 0 && !this.#closed) this.#schedule(this.#windowMs);
    });
    return this.#delivering;
  }

  async #deliverQueued(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.slice(0, this.#maxBatchSize);
      try {
        const report = await aggregateUsage(this.#aggregator, batch);
        this.#queue.splice(0, report.aggregated);
        if (report.retryFrom !== undefined) return;
      } catch (error) {
        this.#logger.error('usage aggregation failed; the batch is retried', {
          records: batch.length,
          error: error instanceof Error ? error.name : 'unknown',
        });
        return;
      }
    }
  }
}
