import { InvalidRequestError } from '../errors.ts';
import { MAX_CUSTOM_RANGE_DAYS, type TimeRange } from '../usage/usage-query.ts';

/** Rollup granularity: hourly items for ranges up to 24 h, daily items (UTC days) beyond. */
export type Granularity = 'hour' | 'day';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Length of one bucket. */
export function bucketMs(granularity: Granularity): number {
  return granularity === 'hour' ? HOUR_MS : DAY_MS;
}

/** Start of the UTC hour or day holding `atMs` (epoch ms have no leap seconds: plain modulo). */
export function bucketStartMs(atMs: number, granularity: Granularity): number {
  const size = bucketMs(granularity);
  return Math.floor(atMs / size) * size;
}

/** ISO form of a bucket start, as stored and sent (`2026-11-01T00:00:00.000Z`). */
export function bucketIso(startMs: number): string {
  return new Date(startMs).toISOString();
}

/** A resolved query range: bucket-aligned, plus the previous period of the same length. */
export interface ResolvedRange {
  readonly granularity: Granularity;
  readonly fromMs: number;
  /** Exclusive end: the end of the bucket holding the range's end. */
  readonly toMs: number;
  readonly bucketStartsMs: readonly number[];
  readonly previousFromMs: number;
  readonly previousToMs: number;
}

const NAMED_BUCKETS: Record<Exclude<TimeRange, 'custom'>, [Granularity, number]> = {
  '24h': ['hour', 24],
  '7d': ['day', 7],
  '30d': ['day', 30],
  '90d': ['day', 90],
};

function aligned(granularity: Granularity, fromMs: number, toMs: number): ResolvedRange {
  const size = bucketMs(granularity);
  const start = bucketStartMs(fromMs, granularity);
  const end = bucketStartMs(Math.max(fromMs, toMs - 1), granularity) + size;
  const bucketStartsMs: number[] = [];
  for (let at = start; at < end; at += size) bucketStartsMs.push(at);
  const length = end - start;
  return {
    granularity,
    fromMs: start,
    toMs: end,
    bucketStartsMs,
    previousFromMs: start - length,
    previousToMs: start,
  };
}

/**
 * Resolves a named range ending with the bucket that holds `nowMs` (24h: the last 24 hours
 * including the current one; 7d/30d/90d: the last N UTC days including today), or a custom
 * `[from, to)`: hourly when it spans at most 24 h, else daily, snapped outward to whole buckets.
 * @throws InvalidRequestError for a custom range that is empty, reversed or over {@link MAX_CUSTOM_RANGE_DAYS} days.
 */
export function resolveRange(
  range: TimeRange,
  nowMs: number,
  custom?: { readonly fromMs: number; readonly toMs: number },
): ResolvedRange {
  if (range !== 'custom') {
    const [granularity, count] = NAMED_BUCKETS[range];
    const size = bucketMs(granularity);
    const end = bucketStartMs(nowMs, granularity) + size;
    return aligned(granularity, end - count * size, end);
  }
  if (custom === undefined || !(custom.toMs > custom.fromMs)) {
    throw new InvalidRequestError('A custom range needs from before to.');
  }
  if (custom.toMs - custom.fromMs > MAX_CUSTOM_RANGE_DAYS * DAY_MS) {
    throw new InvalidRequestError(`A custom range spans at most ${MAX_CUSTOM_RANGE_DAYS} days.`);
  }
  const granularity: Granularity = custom.toMs - custom.fromMs <= DAY_MS ? 'hour' : 'day';
  return aligned(granularity, custom.fromMs, custom.toMs);
}
