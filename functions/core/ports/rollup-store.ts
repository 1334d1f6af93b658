import type { Granularity } from '../rollups/buckets.ts';
import type { MonthPacks } from '../rollups/month-packs.ts';
import type { Rollup } from '../rollups/rollup.ts';
import type { UsageRecord } from '../usage/usage-record.ts';
import type { TagRollupStore } from './tag-rollup-store.ts';

/**
 * The live rollups: hourly and daily usage counts and a copy of each error record, kept current
 * by the usage aggregator as records arrive and read by the Dashboard and the Logs totals. Every write is a single-item
 * write (no transactions). The seal job's side of the same data is `RollupSealStore`.
 * Consumers depend on the methods they call (`Pick<RollupStore, ...>`). The tag rollups live
 * beside them (`TagRollupStore`), kept by the same writers.
 */
export interface RollupStore extends TagRollupStore {
  /**
   * The live path (`aggregateUsage`): ADDs the rollup's counts (and histogram buckets) into the
   * stored item of the same account, bucket and dimension combination, creating it when absent,
   * and marks it unsealed. One single-item write; not idempotent (a repeated call counts twice:
   * the caller marks the hour dirty first, so the seal job corrects it).
   */
  addToRollup(rollup: Rollup): Promise<void>;

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
   * The account's month packs and manifests (written by the seal job) of every UTC month that
   * overlaps `[fromMs, toMs)`, expired days included (`unpackDays` validates, then skips them).
   * Reads about (months x dimension combinations) items.
   */
  queryMonthPacks(accountId: string, fromMs: number, toMs: number): Promise<MonthPacks<Rollup>>;

  /**
   * Marks the account's hour as having unsealed activity. The live path calls it before its
   * ADDs, so a batch whose ADDs never happen or happen twice (a crash, a retry) is still sealed,
   * and again after them, for a seal that ran in between.
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
