import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { RepriceStore } from '../ports/reprice-store.ts';
import type { RollupSealStore } from '../ports/rollup-seal-store.ts';
import { bucketStartMs, HOUR_MS } from './buckets.ts';
import {
  DIRTY_MARKER_LIFETIME_MS,
  type SealReport,
  type SealRollupsDeps,
  sealRollups,
} from './seal-rollups.ts';

/**
 * Hours older than this cannot be resealed: their dirty marker would already have expired.
 * Operator windows (`resealUsage`, `repriceUsage`) are capped to it.
 */
export const MAX_RESEAL_WINDOW_MS = DIRTY_MARKER_LIFETIME_MS - 2 * HOUR_MS;

/**
 * @throws RangeError when `sinceMs` is more than {@link MAX_RESEAL_WINDOW_MS} before `nowMs` or
 * after it.
 */
export function checkResealWindow(sinceMs: number, nowMs: number): void {
  if (!(sinceMs <= nowMs && nowMs - sinceMs <= MAX_RESEAL_WINDOW_MS)) {
    throw new RangeError(
      `since must be a past time within ${MAX_RESEAL_WINDOW_MS / HOUR_MS} hours (rollup markers expire after that)`,
    );
  }
}

/**
 * Seals every dirty hour from the one before `sinceMs` on (the `+ HOUR_MS` also covers the time
 * the run took before it seals). Hours not closed yet are left to the next scheduled seal run.
 */
export function sealSince(
  deps: SealRollupsDeps,
  sinceMs: number,
  nowMs: number,
): Promise<SealReport> {
  return sealRollups(deps, { lookbackMs: nowMs - sinceMs + HOUR_MS });
}

export interface ResealDeps {
  readonly records: Pick<RepriceStore, 'recordsBetween'>;
  readonly rollups: RollupSealStore;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface ResealOptions {
  readonly sinceMs: number;
  /** End of the window (exclusive). @default now */
  readonly untilMs?: number | undefined;
  /** Only this account's hours. @default every account */
  readonly accountId?: string | undefined;
}

export interface ResealReport {
  /** Account-hours holding records in the window, each marked dirty once. */
  readonly hoursMarked: number;
  readonly sealed: SealReport;
}

/**
 * Rebuilds the rollups of every account-hour holding records in `[sinceMs, untilMs)` (only
 * `accountId`'s with that option) from the raw records: marks each such hour dirty, once, then
 * seals the window (`sealRollups`). This repairs live rollups that are wrong while no marker
 * says so (an aggregator batch that never wrote its markers), without hand-written items. Hours
 * not closed yet stay marked for the next scheduled seal run.
 *
 * @throws RangeError when `sinceMs` is more than {@link MAX_RESEAL_WINDOW_MS} ago or in the
 * future, or when `untilMs` is not after it.
 */
export async function resealUsage(deps: ResealDeps, options: ResealOptions): Promise<ResealReport> {
  const nowMs = deps.clock.nowMs();
  checkResealWindow(options.sinceMs, nowMs);
  if (options.untilMs !== undefined && !(options.untilMs > options.sinceMs)) {
    throw new RangeError('until must be after since');
  }
  const untilMs = options.untilMs ?? nowMs;
  const marked = new Set<string>();
  for await (const record of deps.records.recordsBetween(options.sinceMs, untilMs)) {
    if (options.accountId !== undefined && record.accountId !== options.accountId) continue;
    const hourMs = bucketStartMs(Date.parse(record.at), 'hour');
    const key = `${hourMs}#${record.accountId}`;
    if (marked.has(key)) continue;
    marked.add(key);
    // Marked as found: a run that stops early (a Lambda timeout) leaves them for the seal job.
    await deps.rollups.markDirty(record.accountId, hourMs);
  }
  const sealed = await sealSince(deps, options.sinceMs, nowMs);
  deps.logger.info('usage resealed', { hoursMarked: marked.size, ...sealed });
  return { hoursMarked: marked.size, sealed };
}
