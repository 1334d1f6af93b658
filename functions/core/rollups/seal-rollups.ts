import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { RollupSealStore } from '../ports/rollup-seal-store.ts';
import { bucketStartMs, DAY_MS, HOUR_MS } from './buckets.ts';
import { isErrorStatus, regroupRollups, rollupsFromRecords } from './rollup.ts';
import { packSealedDay } from './rollup-packs.ts';
import { sealTagDay, sealTagHour } from './seal-tag-rollups.ts';
import { TAG_SUMMARY_VALUES } from './tag-summary.ts';

export interface SealRollupsDeps {
  readonly rollups: RollupSealStore;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** How long an hour's dirty marker is kept: a seal run can find any hour younger than this. */
export const DIRTY_MARKER_LIFETIME_MS = 30 * DAY_MS;

/**
 * The daily sweep's lookback: every hour a marker can still exist for, so hours the frequent
 * runs missed (the job failing or disabled for more than their 48 hours) are sealed too.
 */
/** The input of the daily schedule (EventBridge, local scheduler); every other event is a frequent run. */
export const SWEEP_EVENT = { sweep: true } as const;

export const SWEEP_LOOKBACK_MS = DIRTY_MARKER_LIFETIME_MS;

export interface SealRollupsOptions {
  /**
   * An hour is sealed only this long after it ended: a record is written when its request ends
   * (up to the 15-minute Lambda limit) but dated when it arrived. @default 20 minutes
   */
  readonly graceMs?: number;
  /** How far back dirty hours are looked for. @default 48 hours */
  readonly lookbackMs?: number;
  /** Values a tag summary keeps by name per bucket. @default TAG_SUMMARY_VALUES (100) */
  readonly tagSummaryValues?: number;
}

export interface SealReport {
  readonly hoursSealed: number;
  readonly daysRebuilt: number;
  /** Closed, sealed days written into their month's packs. */
  readonly daysPacked: number;
}

/**
 * The repair path: for every closed hour with a dirty marker, recompute the account's hourly
 * rollups from its raw records and overwrite them (sealed, exact), store any missing error
 * copies, then rebuild that day's items from its hourly items and, once the day is closed and
 * sealed, its slices in the month packs (`rollup-packs.ts`). Tag rollups and their summaries
 * follow the same steps, each written before the usage rollups of its bucket
 * (`seal-tag-rollups.ts`).
 *
 * Why this is exact without transactions: the live path writes raw record -> (from its stream
 * record, `aggregateUsage`) dirty marker -> rollup ADDs -> dirty marker, and the seal clears the
 * marker -> reads raw records -> overwrites. Any live write
 * the overwrite does not reflect (a record stored after the read, an ADD landing after the
 * overwrite, a lost or doubled ADD) leaves a marker set after the clear, so a later run reseals.
 */
export async function sealRollups(
  deps: SealRollupsDeps,
  options: SealRollupsOptions = {},
): Promise<SealReport> {
  const graceMs = options.graceMs ?? 20 * 60_000;
  const lookbackMs = options.lookbackMs ?? 48 * HOUR_MS;
  const nowMs = deps.clock.nowMs();
  const lastHour = bucketStartMs(nowMs - graceMs, 'hour') - HOUR_MS;
  const firstHour = bucketStartMs(nowMs - lookbackMs, 'hour');
  const keepValues = options.tagSummaryValues ?? TAG_SUMMARY_VALUES;
  /** Per account, per day: the hours sealed in this run (set dirty again if the day fails). */
  const daysToRebuild = new Map<string, Map<number, number[]>>();
  let hoursSealed = 0;
  for (let hourMs = firstHour; hourMs <= lastHour; hourMs += HOUR_MS) {
    for (const accountId of await deps.rollups.listDirty(hourMs)) {
      // One account-hour at a time: a failure is logged with its key and the run goes on.
      if (!(await sealHour(deps, accountId, hourMs, keepValues))) continue;
      const days = daysToRebuild.get(accountId) ?? new Map<number, number[]>();
      const dayMs = bucketStartMs(hourMs, 'day');
      days.set(dayMs, [...(days.get(dayMs) ?? []), hourMs]);
      daysToRebuild.set(accountId, days);
      hoursSealed += 1;
    }
  }
  let daysRebuilt = 0;
  let daysPacked = 0;
  for (const [accountId, days] of daysToRebuild) {
    for (const [dayMs, hoursOfDay] of days) {
      try {
        const packed = await rebuildDay(deps, accountId, dayMs, lastHour, keepValues);
        daysRebuilt += 1;
        if (packed) daysPacked += 1;
      } catch (error) {
        // Its hours are made dirty again, so the next run rebuilds the day.
        await restoreMarkers(deps, accountId, hoursOfDay, error, 'day');
      }
    }
  }
  if (hoursSealed > 0) deps.logger.info('rollups sealed', { hoursSealed, daysRebuilt, daysPacked });
  return { hoursSealed, daysRebuilt, daysPacked };
}

/**
 * Rebuilds a day's items from its hourly items (sealed when all of them are). A closed day
 * whose hours are all sealed also goes into its month's packs (true); a day not closed yet gets
 * its last hour marked dirty, so the run that seals that hour rebuilds and packs the day even
 * when the hour has no traffic.
 */
async function rebuildDay(
  deps: SealRollupsDeps,
  accountId: string,
  dayMs: number,
  lastHourMs: number,
  keepValues: number,
): Promise<boolean> {
  const dayLastHourMs = dayMs + DAY_MS - HOUR_MS;
  await sealTagDay(deps.rollups, accountId, dayMs, dayLastHourMs <= lastHourMs, keepValues);
  const hours = await deps.rollups.query(accountId, 'hour', dayMs, dayMs + DAY_MS);
  const allSealed = hours.every((hour) => hour.sealed);
  const dayRollups = regroupRollups(hours, 'day', allSealed);
  await deps.rollups.replaceBucket(accountId, 'day', dayMs, dayRollups);
  if (dayLastHourMs > lastHourMs) {
    await deps.rollups.markDirty(accountId, dayLastHourMs);
    return false;
  }
  if (!allSealed) return false;
  await packSealedDay(deps.rollups, accountId, dayMs, dayRollups);
  return true;
}

/**
 * Seals one account-hour; false when it failed. The marker is cleared before the raw records
 * are read (that order keeps the seal exact, see above) and set again when any step after it
 * fails, so a failed rewrite never loses its marker: the next run retries the hour.
 */
async function sealHour(
  deps: SealRollupsDeps,
  accountId: string,
  hourMs: number,
  keepValues: number,
): Promise<boolean> {
  try {
    await deps.rollups.clearDirty(hourMs, accountId);
  } catch (error) {
    logSealFailure(deps, accountId, hourMs, error, 'hour');
    return false;
  }
  try {
    const records = await deps.rollups.rawRecordsInHour(accountId, hourMs);
    await sealTagHour(deps.rollups, accountId, hourMs, records, keepValues);
    await deps.rollups.replaceBucket(
      accountId,
      'hour',
      hourMs,
      rollupsFromRecords(records, 'hour', true),
    );
    await deps.rollups.putErrors(records.filter(({ record }) => isErrorStatus(record.status)));
    return true;
  } catch (error) {
    await restoreMarkers(deps, accountId, [hourMs], error, 'hour');
    return false;
  }
}

async function restoreMarkers(
  deps: SealRollupsDeps,
  accountId: string,
  hours: readonly number[],
  error: unknown,
  step: 'hour' | 'day',
): Promise<void> {
  for (const hourMs of hours) {
    logSealFailure(deps, accountId, hourMs, error, step);
    try {
      await deps.rollups.markDirty(accountId, hourMs);
    } catch (markError) {
      deps.logger.error('rollup seal could not restore a dirty marker; reseal this hour', {
        accountId,
        hourStart: new Date(hourMs).toISOString(),
        error: markError instanceof Error ? markError.name : 'unknown',
      });
    }
  }
}

function logSealFailure(
  deps: SealRollupsDeps,
  accountId: string,
  hourMs: number,
  error: unknown,
  step: 'hour' | 'day',
): void {
  deps.logger.error('rollup seal failed; the hour stays dirty for the next run', {
    accountId,
    hourStart: new Date(hourMs).toISOString(),
    step,
    error: error instanceof Error ? error.name : 'unknown',
  });
}
