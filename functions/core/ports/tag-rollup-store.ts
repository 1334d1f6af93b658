import type { Granularity } from '../rollups/buckets.ts';
import type { TagRollup } from '../rollups/tag-rollup.ts';
import type { TagSummary } from '../rollups/tag-summary.ts';

/** A tag key an account has used, and the latest request time it was seen on. */
export interface TagKeySeen {
  readonly key: string;
  /** ISO instant: no record carrying the key is later than this. */
  readonly lastSeenAt: string;
}

/**
 * The tag rollups (docs/decisions/tag-rollups.md): per (account, tag key) hourly items by bucket
 * then value (every value), daily items by value then day (every value), and bounded summaries
 * of closed buckets (top values by name plus a remainder). The usage aggregator adds to the
 * hourly and daily items live; the seal job makes them exact and writes the summaries. Every
 * write is a single-item write.
 */
export interface TagRollupStore {
  /**
   * The live path: ADDs the rollup into the stored item of the same account, tag, bucket and
   * dimension combination (hourly or daily), creating it when absent, and marks it unsealed.
   * Not idempotent, like `RollupStore.addToRollup` (the hour is marked dirty first).
   */
  addToTagRollup(rollup: TagRollup): Promise<void>;

  /** Records that the account used `key` at `seenAt` (ISO); keeps the latest time seen. */
  noteTagKey(accountId: string, key: string, seenAt: string): Promise<void>;

  /** The account's tag keys, most recently seen first. */
  listTagKeys(accountId: string): Promise<TagKeySeen[]>;

  /**
   * The unexpired rollups of the given values of one key, buckets starting in `[fromMs, toMs)`.
   * Daily: one read per value (reads grow with that value's days x combinations); hourly: one
   * per hour and value.
   */
  queryTagValues(
    accountId: string,
    key: string,
    values: readonly string[],
    granularity: Granularity,
    fromMs: number,
    toMs: number,
  ): Promise<TagRollup[]>;

  /** Every value's unexpired hourly rollups of one key for the hours in `[fromMs, toMs)`. */
  queryTagHours(accountId: string, key: string, fromMs: number, toMs: number): Promise<TagRollup[]>;

  /** The summaries of one key and granularity whose bucket starts in `[fromMs, toMs)`. */
  queryTagSummaries(
    accountId: string,
    key: string,
    granularity: Granularity,
    fromMs: number,
    toMs: number,
  ): Promise<TagSummary[]>;
}

/** The seal job's side of the tag rollups. */
export interface TagRollupSealStore
  extends Pick<TagRollupStore, 'queryTagHours' | 'listTagKeys' | 'noteTagKey'> {
  /**
   * Makes `rollups` the complete set of the key's hourly items of the hour (full overwrites,
   * other items of the hour deleted) and stores the hour's summary.
   */
  replaceTagHour(
    accountId: string,
    key: string,
    hourStartMs: number,
    rollups: readonly TagRollup[],
    summary: TagSummary,
  ): Promise<void>;

  /**
   * Overwrites the key's daily items of the day with `rollups` (an item without a rollup here
   * can only hold expired records: it is left to expire) and stores the day's summary when given
   * (a closed day whose hours are all sealed).
   */
  putTagDay(
    accountId: string,
    key: string,
    dayStartMs: number,
    rollups: readonly TagRollup[],
    summary: TagSummary | undefined,
  ): Promise<void>;
}
