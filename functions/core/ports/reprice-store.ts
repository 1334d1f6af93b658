import type { UsageRecord } from '../usage/usage-record.ts';

/** What re-pricing sets on a record. */
export interface RepricedCost {
  readonly costPicoUsd: bigint | null;
  readonly priceVersion: string;
  /** Priced at the standard rate because its service tier has no price. */
  readonly tierUnpriced: boolean;
}

/** The usage records' side of `reprice`: every account's records, and one conditional write. */
export interface RepriceStore {
  /** Every account's unexpired usage records with `at` in `[fromMs, toMs)`, any order. */
  recordsBetween(fromMs: number, toMs: number): AsyncIterable<UsageRecord>;

  /**
   * Sets the record's cost, price version and `tierUnpriced` only while its stored price version
   * is still `record.priceVersion` (one conditional single-item write): a rerun or a concurrent
   * run changes each record at most once. Answers whether this call wrote.
   */
  updateCost(record: UsageRecord, cost: RepricedCost): Promise<boolean>;
}
