import type { Granularity } from '../rollups/buckets.ts';
import type { Rollup } from '../rollups/rollup.ts';
import type { UsageRecord } from '../usage/usage-record.ts';
import type { UsageRetention } from './usage-store.ts';

/**
 * The live rollups: hourly and daily usage counts and a copy of each error record, kept current
 * as records arrive and read by the Dashboard and the Logs totals. Every write is a single-item
 * write (no transactions). The seal job's side of the same data is `RollupSealStore`.
 * Consumers depend on the methods they call (`Pick<RollupStore, ...>`).
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

  /** The account's unexpired error records with `at` in `[fromMs, toMs)`, newest first. */
  recentErrors(
    accountId: string,
    fromMs: number,
    toMs: number,
    accept: (record: UsageRecord) => boolean,
    limit: number,
  ): Promise<UsageRecord[]>;
}
