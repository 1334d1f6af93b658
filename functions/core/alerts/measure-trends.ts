import { convertPicoUsd } from '../currency/fx.ts';
import { HOUR_MS } from '../rollups/buckets.ts';
import { type AlertLevel, WARNING_PERCENT } from './alert-policy.ts';
import type { AlertRuleSpec } from './alert-rule.ts';
import { forecastCrossingMs, forecastMonthEnd } from './forecast.ts';
import {
  type AlertMoney,
  counted,
  type Measurement,
  microsToCents,
  thresholdMicros,
} from './measure-rule.ts';
import type { ScopedRollup } from './scoped-usage.ts';
import { measureSpike, type SpikeMetric, spikeReaches } from './spike.ts';

/** Picodollars in micro-units of the account's currency, exactly as the Dashboard converts. */
function toMicros(picoUsd: bigint, money: AlertMoney): bigint {
  return BigInt(convertPicoUsd(picoUsd, money.currency, money.quote).replace('.', ''));
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * A forecast rule: the month-end projection ({@link forecastMonthEnd}) against the threshold,
 * in the account's currency; Warning when the projection reaches 90%, Alert at 100%.
 */
export function measureForecast(
  rule: Pick<AlertRuleSpec, 'threshold'>,
  days: readonly ScopedRollup[],
  money: AlertMoney,
  nowMs: number,
  historyStartMs: number,
): Measurement {
  const limit = thresholdMicros(rule.threshold);
  const thresholdText = `${microsToCents(limit)} ${money.currency}`;
  const result = forecastMonthEnd(days, nowMs, historyStartMs);
  if (result.kind === 'too_little_history') {
    return {
      figure: `not enough history yet (${counted(result.paceDays, 'whole day')})`,
      thresholdText,
      value: null,
      ratio: null,
      levels: [],
      skipped: 'too_little_history',
    };
  }
  const { forecast } = result;
  const projectedText = convertPicoUsd(forecast.projectedPicoUsd, money.currency, money.quote);
  const projected = BigInt(projectedText.replace('.', ''));
  const spent = toMicros(forecast.spentPicoUsd, money);
  const paceSpend = toMicros(forecast.paceSpendPicoUsd, money);
  const crossingMs = forecastCrossingMs(forecast, { spent, paceSpend, threshold: limit });
  const levels: AlertLevel[] = [];
  if (projected * 100n >= limit * BigInt(WARNING_PERCENT)) levels.push('warning');
  if (projected >= limit) levels.push('alert');
  const money2 = (micros: bigint) => `${microsToCents(micros)} ${money.currency}`;
  const crossing =
    crossingMs !== undefined
      ? `on ${day(crossingMs)} at this pace`
      : projected >= limit
        ? 'at the end of the month at this pace'
        : 'not this month at this pace';
  return {
    figure: `${money2(projected)} projected for the month`,
    thresholdText,
    value: projectedText,
    ratio: Number(projected) / Number(limit),
    levels,
    details: [
      ['Projected month end', money2(projected)],
      ['Threshold reached', crossing],
      [`Spent through ${day(forecast.exactThroughMs - 1)} (exact)`, money2(spent)],
      [
        `Daily pace (last ${counted(forecast.paceDays, 'day')})`,
        money2(paceSpend / BigInt(forecast.paceDays)),
      ],
    ],
    forecast: {
      projected: projectedText,
      currency: money.currency,
      crossesOn: crossingMs === undefined ? undefined : day(crossingMs),
    },
    span: { fromMs: forecast.monthStartMs, toMs: forecast.monthEndMs },
  };
}

/** A figure of the spike's metric: money in the account's currency, or a count. */
function metricText(metric: SpikeMetric, value: bigint, money: AlertMoney): string {
  if (metric === 'cost') return `${microsToCents(toMicros(value, money))} ${money.currency}`;
  return counted(Number(value), metric === 'requests' ? 'request' : 'error');
}

/** `2026-11-24 09:00-10:00 UTC` */
function hourText(hourMs: number): string {
  const start = new Date(hourMs).toISOString();
  const end = new Date(hourMs + HOUR_MS).toISOString();
  return `${start.slice(0, 10)} ${start.slice(11, 16)}-${end.slice(11, 16)} UTC`;
}

/**
 * A spike rule: the last complete hour's metric against `threshold` x the 7-day hourly median
 * ({@link measureSpike}), once that hour is sealed and only when it reaches the rule's minimum
 * volume; Warning at 90% of factor x median, Alert at 100%.
 */
export function measureSpikeRule(
  rule: Pick<AlertRuleSpec, 'threshold' | 'metric' | 'minimum'>,
  hours: readonly ScopedRollup[],
  money: AlertMoney,
  nowMs: number,
  historyStartMs: number,
): Measurement {
  const metric = rule.metric ?? 'requests';
  const factor = rule.threshold;
  const result = measureSpike(metric, hours, nowMs, historyStartMs);
  const base = { value: null, ratio: null, levels: [] } as const;
  if (result.kind === 'awaiting_seal') {
    return {
      ...base,
      figure: `${hourText(result.hourStartMs)} is not sealed yet`,
      thresholdText: `${factor}x the hourly median`,
      skipped: 'awaiting_seal',
    };
  }
  if (result.kind === 'too_little_history') {
    return {
      ...base,
      figure: `not enough history yet (${counted(result.baselineHours, 'hour')})`,
      thresholdText: `${factor}x the hourly median`,
      skipped: 'too_little_history',
    };
  }
  const medianText =
    metric === 'cost'
      ? metricText(metric, result.medianTimesTwo / 2n, money)
      : `${Number(result.medianTimesTwo) / 2} ${metric}`;
  const observedText = metricText(metric, result.observed, money);
  const minimum =
    metric === 'cost'
      ? toMicros(result.observed, money) >= thresholdMicros(rule.minimum ?? 0)
      : result.observed >= BigInt(rule.minimum ?? 1);
  const levels: AlertLevel[] = [];
  if (minimum && spikeReaches(result, factor, WARNING_PERCENT)) levels.push('warning');
  if (minimum && spikeReaches(result, factor, 100)) levels.push('alert');
  const limitTimesTwo = Number(result.medianTimesTwo) * factor;
  return {
    figure: `${observedText} in ${hourText(result.hourStartMs)}`,
    thresholdText: `${factor}x the hourly median of ${medianText}`,
    value:
      metric === 'cost'
        ? convertPicoUsd(result.observed, money.currency, money.quote)
        : result.observed.toString(),
    ratio: limitTimesTwo === 0 ? null : (Number(result.observed) * 2) / limitTimesTwo,
    levels,
    skipped: minimum ? undefined : 'below_minimum',
    details: [
      ['Hour', hourText(result.hourStartMs)],
      [`Baseline median (${counted(result.baselineHours, 'hour')})`, medianText],
    ],
    spike: {
      metric,
      hour: new Date(result.hourStartMs).toISOString(),
      observed: observedText,
      baselineMedian: medianText,
      factor,
    },
    span: { fromMs: result.hourStartMs, toMs: result.hourStartMs + HOUR_MS },
  };
}
