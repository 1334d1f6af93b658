import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { RepriceStore } from '../ports/reprice-store.ts';
import type { RollupSealStore } from '../ports/rollup-seal-store.ts';
import type { RollupStore } from '../ports/rollup-store.ts';
import { bucketStartMs, HOUR_MS } from '../rollups/buckets.ts';
import { isErrorStatus } from '../rollups/rollup.ts';
import { DIRTY_MARKER_LIFETIME_MS, type SealReport, sealRollups } from '../rollups/seal-rollups.ts';
import { computeCost } from './cost.ts';
import { isOlderPriceVersion, PRICE_VERSION } from './price-version.ts';

export interface RepriceDeps {
  readonly records: RepriceStore;
  readonly rollups: Pick<RollupStore, 'markDirty'> & RollupSealStore;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface RepriceReport {
  /** Records in the window priced by older price data (or by none), not cached. */
  readonly considered: number;
  /** Records this run rewrote (a concurrent run or an earlier one took the others). */
  readonly repriced: number;
  /** Of those, records whose cost changed (their hours' rollups were rebuilt, as were error records' hours). */
  readonly costChanged: number;
  readonly sealed: SealReport;
}

/**
 * Hours older than this cannot be resealed: their dirty marker would already have expired.
 * The window is capped to it.
 */
export const MAX_REPRICE_WINDOW_MS = DIRTY_MARKER_LIFETIME_MS - 2 * HOUR_MS;

/**
 * Re-prices usage records in `[sinceMs, now)` that older price data priced (or left unpriced)
 * with the current data ({@link PRICE_VERSION}), from the tokens, model and arrival time each
 * record holds. Cached answers keep their cost of 0. Each write is conditional on the price
 * version read, so every record changes exactly once across reruns and concurrent runs. The
 * hours whose costs changed, and those of repriced error records, are marked dirty and resealed
 * (`sealRollups` over the window), which rebuilds their hourly and daily rollups exactly from
 * the raw records and rewrites their error copies; the dashboard's cost, unpriced count and
 * Errors tab follow. Hours not closed yet are resealed by the next scheduled seal run.
 *
 * @throws RangeError when `sinceMs` is more than {@link MAX_REPRICE_WINDOW_MS} ago or in the future.
 */
export async function repriceUsage(
  deps: RepriceDeps,
  options: { readonly sinceMs: number },
): Promise<RepriceReport> {
  const nowMs = deps.clock.nowMs();
  if (!(options.sinceMs <= nowMs && nowMs - options.sinceMs <= MAX_REPRICE_WINDOW_MS)) {
    throw new RangeError(
      `since must be a past time within ${MAX_REPRICE_WINDOW_MS / HOUR_MS} hours (rollup markers expire after that)`,
    );
  }
  let considered = 0;
  let repriced = 0;
  let costChanged = 0;
  for await (const record of deps.records.recordsBetween(options.sinceMs, nowMs)) {
    if (record.cached || !isOlderPriceVersion(record.priceVersion)) continue;
    considered += 1;
    let cost: bigint | null;
    try {
      cost = computeCost(record.provider, record.model, record, Date.parse(record.at)).costPicoUsd;
    } catch {
      cost = null; // impossible counts stay unpriced, as when the record was written
    }
    if (!(await deps.records.updateCost(record, cost, PRICE_VERSION))) continue;
    repriced += 1;
    const changed = cost !== record.costPicoUsd;
    if (changed) costChanged += 1;
    // The reseal also rewrites the hour's error copies (what the Errors tab lists), so an error
    // record's hour is resealed even when only its price version moved on.
    if (!changed && !isErrorStatus(record.status)) continue;
    // Right after each write, as the live path does (record, then marker): a seal that cleared
    // the marker before this write is followed by another, and a run that stops early (a Lambda
    // timeout) leaves every hour it changed marked for the scheduled seal.
    await deps.rollups.markDirty(record.accountId, bucketStartMs(Date.parse(record.at), 'hour'));
  }
  const sealed = await sealRollups(
    { rollups: deps.rollups, clock: deps.clock, logger: deps.logger },
    { lookbackMs: nowMs - options.sinceMs + HOUR_MS },
  );
  deps.logger.info('usage repriced', {
    considered,
    repriced,
    costChanged,
    priceVersion: PRICE_VERSION,
  });
  return { considered, repriced, costChanged, sealed };
}
