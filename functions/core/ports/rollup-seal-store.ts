import type { Granularity } from '../rollups/buckets.ts';
import type { MonthPackUpdate } from '../rollups/month-packs.ts';
import type { Rollup, StoredUsageRecord } from '../rollups/rollup.ts';
import type { RollupStore } from './rollup-store.ts';
import type { TagRollupSealStore } from './tag-rollup-store.ts';

/**
 * The seal job's side of the rollups: the per-hour "dirty" markers the live path sets, the raw
 * records of an hour, and overwrites that make a bucket exact. It reads hours back through the
 * live store's `query` to rebuild their day, `markDirty` to set a marker again when a rewrite
 * failed, and `queryMonthPacks` to repack a closed day. Every write is a single-item write.
 */
export interface RollupSealStore
  extends Pick<RollupStore, 'query' | 'markDirty' | 'queryMonthPacks'>,
    TagRollupSealStore {
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

  /**
   * Stores error copies (idempotent on requestId), for errors whose live write was lost. Each
   * overwrites any earlier copy of the same record, so a reseal after `reprice` refreshes the
   * copy's cost and price version.
   */
  putErrors(records: readonly StoredUsageRecord[]): Promise<void>;

  /**
   * Writes one day's packing of a month: puts each pack whole, deletes the packs of
   * `deleteKeys`, then puts the manifest. Not atomic: a reader validates each day against the
   * manifest (`unpackDays`), so a write that stops halfway or races another only makes that day
   * read from its daily items.
   */
  writeMonthPacks(update: MonthPackUpdate<Rollup>): Promise<void>;
}
