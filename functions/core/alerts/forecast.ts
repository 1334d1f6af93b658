import { bucketStartMs, DAY_MS } from '../rollups/buckets.ts';
import { monthStartMs, nextMonthStartMs } from '../rollups/month-packs.ts';
import { FORECAST_MIN_DAYS, FORECAST_PACE_DAYS } from './alert-policy.ts';
import type { Span } from './measure-rule.ts';

/*
 * The month-end projection, shared by forecast alert rules and the Dashboard's Costs tab.
 *
 * Model: projected = spent + pace x days left, where
 * - spent is the exact (sealed) spend of the month's closed days, up to `exactThroughMs`: the
 *   start of today, or of the first closed day still holding an unsealed rollup (live rollups
 *   can count a redelivered stream batch twice until the seal job recounts them, so they never
 *   enter a projection);
 * - pace is the average daily spend of the {@link FORECAST_PACE_DAYS} days before
 *   `exactThroughMs` (fewer for an account younger than that, none before its first whole day,
 *   and none before the read span when a recent day is unsealed);
 * - days left runs from `exactThroughMs` (or the month start) to the end of the UTC month, so
 *   today's spend is projected at the pace until the day is sealed, shortly after midnight UTC.
 * It speaks only with at least {@link FORECAST_MIN_DAYS} whole days of pace.
 */

export { FORECAST_MIN_DAYS, FORECAST_PACE_DAYS };

/** One daily rollup's part of a projection (already limited to the scope). */
export interface DaySpend {
  /** ISO UTC start of the day. */
  readonly bucketStart: string;
  readonly costPicoUsd: bigint;
  /** Recounted from the raw records by the seal job (exact). */
  readonly sealed: boolean;
}

/** A month-end projection in picodollars. */
export interface MonthForecast {
  readonly monthStartMs: number;
  /** Exclusive: the start of the next UTC month. */
  readonly monthEndMs: number;
  /** Spend is exact (sealed days) before this instant; the rest of the month is projected. */
  readonly exactThroughMs: number;
  /** The month's exact spend before `exactThroughMs`. */
  readonly spentPicoUsd: bigint;
  /** The whole days the pace averages over, and their spend. */
  readonly paceDays: number;
  readonly paceSpendPicoUsd: bigint;
  /** `spent + paceSpend / paceDays x days left`, rounded half up to a picodollar. */
  readonly projectedPicoUsd: bigint;
}

export type ForecastResult =
  | { readonly kind: 'projected'; readonly forecast: MonthForecast }
  | { readonly kind: 'too_little_history'; readonly paceDays: number };

/**
 * The daily rollups a projection at `nowMs` reads: the closed days of the current month and the
 * {@link FORECAST_PACE_DAYS} days before today, `[min(month start, today - 7 d), today)`.
 */
export function forecastReadSpan(nowMs: number): Span {
  const todayMs = bucketStartMs(nowMs, 'day');
  return {
    fromMs: Math.min(monthStartMs(nowMs), todayMs - FORECAST_PACE_DAYS * DAY_MS),
    toMs: todayMs,
  };
}

/** Start of the first whole UTC day at or after `atMs`. */
function firstWholeDayMs(atMs: number): number {
  return Math.ceil(atMs / DAY_MS) * DAY_MS;
}

/**
 * Projects the spend of the UTC month holding `nowMs` from the daily rollups of
 * {@link forecastReadSpan} (any number of items per day; a day is exact when all are sealed).
 * `historyStartMs` is when data can begin (the account's creation): days before its first whole
 * day are not history, so a young account's pace averages over fewer days, or does not speak.
 */
export function forecastMonthEnd(
  days: readonly DaySpend[],
  nowMs: number,
  historyStartMs: number,
): ForecastResult {
  const span = forecastReadSpan(nowMs);
  const byDay = new Map<number, { costPicoUsd: bigint; sealed: boolean }>();
  // Days outside the span are kept but never summed: every sum below is within it.
  for (const item of days) {
    const dayMs = Date.parse(item.bucketStart);
    const day = byDay.get(dayMs) ?? { costPicoUsd: 0n, sealed: true };
    byDay.set(dayMs, {
      costPicoUsd: day.costPicoUsd + item.costPicoUsd,
      sealed: day.sealed && item.sealed,
    });
  }
  let exactThroughMs = span.toMs;
  for (let dayMs = span.fromMs; dayMs < span.toMs; dayMs += DAY_MS) {
    if (byDay.get(dayMs)?.sealed === false) {
      exactThroughMs = dayMs;
      break;
    }
  }
  // Never before what was read: a day left unsealed shortens the pace rather than count a gap.
  const paceFromMs = Math.max(
    exactThroughMs - FORECAST_PACE_DAYS * DAY_MS,
    firstWholeDayMs(historyStartMs),
    span.fromMs,
  );
  const paceDays = Math.max(0, Math.round((exactThroughMs - paceFromMs) / DAY_MS));
  if (paceDays < FORECAST_MIN_DAYS) return { kind: 'too_little_history', paceDays };
  const monthFromMs = monthStartMs(nowMs);
  const monthEndMs = nextMonthStartMs(nowMs);
  const spendIn = (fromMs: number, toMs: number) =>
    [...byDay].reduce(
      (sum, [dayMs, day]) => (dayMs >= fromMs && dayMs < toMs ? sum + day.costPicoUsd : sum),
      0n,
    );
  const spentPicoUsd = spendIn(monthFromMs, exactThroughMs);
  const paceSpendPicoUsd = spendIn(paceFromMs, exactThroughMs);
  const remainingMs = BigInt(monthEndMs - Math.max(exactThroughMs, monthFromMs));
  const divisor = BigInt(paceDays * DAY_MS);
  const projectedPicoUsd =
    spentPicoUsd + (paceSpendPicoUsd * remainingMs * 2n + divisor) / (2n * divisor);
  return {
    kind: 'projected',
    forecast: {
      monthStartMs: monthFromMs,
      monthEndMs,
      exactThroughMs,
      spentPicoUsd,
      paceDays,
      paceSpendPicoUsd,
      projectedPicoUsd,
    },
  };
}

/**
 * When spend reaches `threshold` at the forecast's pace, in the same unit as `spent` and
 * `paceSpend` (e.g. micro-units of the account's currency): the instant, `exactThroughMs` when it
 * is reached already, or undefined when not within the month (or the pace is zero).
 */
export function forecastCrossingMs(
  forecast: Pick<MonthForecast, 'monthStartMs' | 'monthEndMs' | 'exactThroughMs' | 'paceDays'>,
  amounts: { readonly spent: bigint; readonly paceSpend: bigint; readonly threshold: bigint },
): number | undefined {
  const fromMs = Math.max(forecast.exactThroughMs, forecast.monthStartMs);
  if (amounts.spent >= amounts.threshold) return fromMs;
  if (amounts.paceSpend <= 0n) return undefined;
  const needed = amounts.threshold - amounts.spent;
  const perPaceMs = BigInt(forecast.paceDays * DAY_MS);
  // Rounded up: the first millisecond at which the pace has covered what is needed.
  const afterMs = (needed * perPaceMs + amounts.paceSpend - 1n) / amounts.paceSpend;
  const crossingMs = fromMs + Number(afterMs);
  return crossingMs < forecast.monthEndMs ? crossingMs : undefined;
}
