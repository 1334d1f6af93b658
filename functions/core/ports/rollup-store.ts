import type { Granularity } from '../rollups/buckets.ts';
import type { Rollup, StoredUsageRecord } from '../rollups/rollup.ts';
import type { UsageRecord } from '../usage/usage-record.ts';
import type { UsageRetention } from './usage-store.ts';

/**
 * Hourly and daily usage rollups, the per-hour "dirty" markers of the seal job, and a copy of
 * each error record for the Errors tab. Every write is a single-item write (no transactions).
 */
export interface RollupStore {
  /**
   * The live path, after a record was appended (not a duplicate): ADDs its counts into its
   * hourly and daily items, stores an error copy for error statuses, then marks the hour dirty
   * (in that order, so a seal that misses these ADDs always finds the marker afterwards).
   */
  addLive(record: UsageRecord, retention: UsageRetention): Promise<void>;

  /**
   * The account's unexpired rollups of one granularity whose bucket starts in
   * `[fromMs, toMs)`. Reads at most (buckets x dimension combinations) items.
   */
  query(
    accountId: string,
    granularity: Granularity,
    fromMs: number,
    toMs: number,
  ): Promise<Rollup[]>;

  /**
   * Marks the account's hour as having unsealed activity. The live path calls it before the raw
   * append too, so a record whose ADDs never happen (a crash, a frozen Lambda) is still sealed.
   */
  markDirty(accountId: string, hourStartMs: number): Promise<void>;

  /** Accounts with activity not yet sealed in the hour starting at `hourStartMs`. */
  listDirty(hourStartMs: number): Promise<string[]>;

  /** Removes an account's dirty marker for an hour (before the seal reads the raw records). */
  clearDirty(hourStartMs: number, accountId: string): Promise<void>;

  /** The account's unexpired raw usage records whose `at` falls in the hour. */
  rawRecordsInHour(accountId: string, hourStartMs: number): Promise<StoredUsageRecord[]>;

  /**
   * Makes `rollups` the complete set of the account's items for one bucket: writes each (full
   * overwrite) and deletes items of other dimension combinations left in that bucket.
   */
  replaceBucket(
    accountId: string,
    granularity: Granularity,
    bucketStartMs: number,
    rollups: readonly Rollup[],
  ): Promise<void>;

  /** Stores error copies (idempotent on requestId), for errors whose live write was lost. */
  putErrors(records: readonly StoredUsageRecord[]): Promise<void>;

  /** The account's unexpired error records with `at` in `[fromMs, toMs)`, newest first. */
  recentErrors(
    accountId: string,
    fromMs: number,
    toMs: number,
    accept: (record: UsageRecord) => boolean,
    limit: number,
  ): Promise<UsageRecord[]>;
}
