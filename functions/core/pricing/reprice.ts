import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { RepricedCost, RepriceStore } from '../ports/reprice-store.ts';
import type { RollupSealStore } from '../ports/rollup-seal-store.ts';
import type { RollupStore } from '../ports/rollup-store.ts';
import { bucketStartMs } from '../rollups/buckets.ts';
import { checkResealWindow, sealSince } from '../rollups/reseal-usage.ts';
import { isErrorStatus } from '../rollups/rollup.ts';
import type { SealReport } from '../rollups/seal-rollups.ts';
import type { UsageRecord } from '../usage/usage-record.ts';
import type { PriceSource } from './live-prices.ts';
import type { PriceCatalog } from './price-catalog.ts';

export interface RepriceDeps {
  readonly records: RepriceStore;
  readonly rollups: Pick<RollupStore, 'markDirty'> & RollupSealStore;
  /** The price version to re-price with: the current one, read when the run starts. */
  readonly prices: Pick<PriceSource, 'latest'>;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface RepriceOptions {
  readonly sinceMs: number;
  /** Only records that have no cost (unpriced), leaving priced ones as they are. @default false */
  readonly onlyUnpriced?: boolean;
}

export interface RepriceReport {
  /** Records in the window priced by other price data (or left unpriced), not cached. */
  readonly considered: number;
  /** Records this run rewrote (a concurrent run or an earlier one took the others). */
  readonly repriced: number;
  /**
   * Of those, records whose cost (or tier flag) changed (their hours' rollups were rebuilt, as
   * were error records' hours).
   */
  readonly costChanged: number;
  /** The price version the records now carry. */
  readonly priceVersion: string;
  readonly sealed: SealReport;
}

/** Whether a run re-prices this record: not cached, and priced by other data (or unpriced). */
function needsReprice(record: UsageRecord, prices: PriceCatalog, options: RepriceOptions): boolean {
  if (record.cached || record.priceVersion === prices.version) return false;
  return !options.onlyUnpriced || record.costPicoUsd === null;
}

function repricedCost(record: UsageRecord, prices: PriceCatalog): RepricedCost {
  try {
    const cost = prices.computeCost(
      record.provider,
      record.model,
      record,
      Date.parse(record.at),
      record.serviceTier,
    );
    return { ...cost, tierUnpriced: cost.tierUnpriced === true };
  } catch {
    // Impossible counts stay unpriced, as when the record was written.
    return { costPicoUsd: null, priceVersion: prices.version, tierUnpriced: false };
  }
}

/**
 * Re-prices usage records in `[sinceMs, now)` that other price data priced (or left unpriced)
 * with the current version (`prices.latest()`), from the tokens, model, service tier and
 * arrival time each record holds; with `onlyUnpriced`, only records that have no cost. Cached
 * answers keep their cost of 0. Each write is conditional on the price version read, so every
 * record changes exactly once across reruns and concurrent runs. The hours whose costs changed,
 * and those of repriced error records, are marked dirty and resealed (`sealRollups` over the
 * window), which rebuilds their hourly and daily rollups exactly from the raw records and
 * rewrites their error copies; the dashboard's cost, unpriced count and Errors tab follow. Hours
 * not closed yet are resealed by the next scheduled seal run.
 *
 * @throws RangeError when `sinceMs` is more than {@link MAX_RESEAL_WINDOW_MS} ago or in the future.
 */
export async function repriceUsage(
  deps: RepriceDeps,
  options: RepriceOptions,
): Promise<RepriceReport> {
  const nowMs = deps.clock.nowMs();
  checkResealWindow(options.sinceMs, nowMs);
  const prices = await deps.prices.latest();
  let considered = 0;
  let repriced = 0;
  let costChanged = 0;
  for await (const record of deps.records.recordsBetween(options.sinceMs, nowMs)) {
    if (!needsReprice(record, prices, options)) continue;
    considered += 1;
    const cost = repricedCost(record, prices);
    if (!(await deps.records.updateCost(record, cost))) continue;
    repriced += 1;
    const changed =
      cost.costPicoUsd !== record.costPicoUsd ||
      cost.tierUnpriced !== (record.tierUnpriced === true);
    if (changed) costChanged += 1;
    // The reseal also rewrites the hour's error copies (what the Errors tab lists), so an error
    // record's hour is resealed even when only its price version moved on.
    if (!changed && !isErrorStatus(record.status)) continue;
    // Right after each write, as the live path does (record, then marker): a seal that cleared
    // the marker before this write is followed by another, and a run that stops early (a Lambda
    // timeout) leaves every hour it changed marked for the scheduled seal.
    await deps.rollups.markDirty(record.accountId, bucketStartMs(Date.parse(record.at), 'hour'));
  }
  const sealed = await sealSince(deps, options.sinceMs, nowMs);
  const priceVersion = prices.version;
  deps.logger.info('usage repriced', { considered, repriced, costChanged, priceVersion });
  return { considered, repriced, costChanged, priceVersion, sealed };
}
