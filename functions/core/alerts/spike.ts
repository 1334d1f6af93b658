import { bucketStartMs, HOUR_MS } from '../rollups/buckets.ts';
import { providerErrorsOf, type RollupCounts } from '../rollups/rollup.ts';
import {
  SPIKE_BASELINE_HOURS,
  SPIKE_METRICS,
  SPIKE_MIN_BASELINE_HOURS,
  type SpikeMetric,
} from './alert-policy.ts';
import type { Span } from './measure-rule.ts';

/*
 * Spike rules: the last complete UTC hour against the median of the same metric over the
 * {@link SPIKE_BASELINE_HOURS} hours before it (hours without traffic count as 0).
 *
 * The observed hour is judged only once every rollup of it is sealed (the seal job recounts a
 * closed hour from the raw records about 20 to 25 minutes after it ends): a live hourly rollup
 * can count a redelivered stream batch twice, which could fake a spike. A baseline hour counted
 * high can only raise the median (fewer alerts, never a false one); a baseline hour missing
 * counts is rare, and moves a median of 168 values by at most one rank.
 */

export { SPIKE_BASELINE_HOURS, SPIKE_METRICS, SPIKE_MIN_BASELINE_HOURS, type SpikeMetric };

/** One hourly rollup's part of a spike (already limited to the scope). */
export interface HourCounts
  extends Pick<RollupCounts, 'requests' | 'errors' | 'metrionErrors' | 'costPicoUsd'> {
  /** ISO UTC start of the hour. */
  readonly bucketStart: string;
  readonly sealed: boolean;
}

/** The metric's value in one item: picodollars, requests, or provider errors. */
export function spikeMetricValue(metric: SpikeMetric, counts: HourCounts): bigint {
  switch (metric) {
    case 'cost':
      return counts.costPicoUsd;
    case 'requests':
      return BigInt(counts.requests);
    case 'errors':
      return BigInt(providerErrorsOf(counts));
  }
}

/** The last complete UTC hour at `nowMs`. */
export function observedHourMs(nowMs: number): number {
  return bucketStartMs(nowMs, 'hour') - HOUR_MS;
}

/** The hourly rollups a spike at `nowMs` reads: the baseline hours and the observed one. */
export function spikeReadSpan(nowMs: number): Span {
  const observedMs = observedHourMs(nowMs);
  return { fromMs: observedMs - SPIKE_BASELINE_HOURS * HOUR_MS, toMs: observedMs + HOUR_MS };
}

export type SpikeResult =
  | { readonly kind: 'awaiting_seal'; readonly hourStartMs: number }
  | { readonly kind: 'too_little_history'; readonly baselineHours: number }
  | {
      readonly kind: 'measured';
      readonly hourStartMs: number;
      /** The observed hour's value. */
      readonly observed: bigint;
      /** Twice the baseline median (exact: the mean of the two middle values, doubled). */
      readonly medianTimesTwo: bigint;
      readonly baselineHours: number;
    };

/**
 * Measures the metric of the last complete hour and the median of the baseline hours from the
 * hourly items of {@link spikeReadSpan}. Baseline hours before `historyStartMs`'s hour ends (the
 * account's creation) are no history; at least {@link SPIKE_MIN_BASELINE_HOURS} are needed.
 */
export function measureSpike(
  metric: SpikeMetric,
  items: readonly HourCounts[],
  nowMs: number,
  historyStartMs: number,
): SpikeResult {
  const observedMs = observedHourMs(nowMs);
  const historyFromMs = Math.ceil(historyStartMs / HOUR_MS) * HOUR_MS;
  const baselineFromMs = Math.max(observedMs - SPIKE_BASELINE_HOURS * HOUR_MS, historyFromMs);
  let observed = 0n;
  const baseline = new Map<number, bigint>();
  for (const item of items) {
    const hourMs = Date.parse(item.bucketStart);
    if (hourMs === observedMs) {
      if (!item.sealed) return { kind: 'awaiting_seal', hourStartMs: observedMs };
      observed += spikeMetricValue(metric, item);
    } else if (hourMs >= baselineFromMs && hourMs < observedMs) {
      baseline.set(hourMs, (baseline.get(hourMs) ?? 0n) + spikeMetricValue(metric, item));
    }
  }
  const baselineHours = Math.max(0, (observedMs - baselineFromMs) / HOUR_MS);
  if (baselineHours < SPIKE_MIN_BASELINE_HOURS) {
    return { kind: 'too_little_history', baselineHours };
  }
  const values = [...baseline.values()];
  while (values.length < baselineHours) values.push(0n);
  values.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const upper = values[Math.floor(baselineHours / 2)] ?? 0n;
  const lower = baselineHours % 2 === 0 ? (values[baselineHours / 2 - 1] ?? 0n) : upper;
  return {
    kind: 'measured',
    hourStartMs: observedMs,
    observed,
    medianTimesTwo: lower + upper,
    baselineHours,
  };
}

/**
 * Whether `observed` reaches `percent`% of `factor` x the median, exactly: the factor has at
 * most one decimal, so it is compared in tenths.
 */
export function spikeReaches(
  spike: { readonly observed: bigint; readonly medianTimesTwo: bigint },
  factor: number,
  percent: number,
): boolean {
  const factorTenths = BigInt(Math.round(factor * 10));
  // observed >= percent/100 x factorTenths/10 x medianTimesTwo/2
  return spike.observed * 2000n >= BigInt(percent) * factorTenths * spike.medianTimesTwo;
}
