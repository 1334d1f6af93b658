import type { Currency } from '../accounts/account.ts';
import { convertPicoUsd, type FxQuote } from '../currency/fx.ts';
import { bucketStartMs, DAY_MS, HOUR_MS } from '../rollups/buckets.ts';
import { histogramPercentile } from '../rollups/latency-histogram.ts';
import { addCounts, EMPTY_COUNTS, providerErrorsOf, type RollupCounts } from '../rollups/rollup.ts';
import {
  ALERT_LEVELS,
  type AlertLevel,
  type AlertState,
  ERROR_RATE_MIN_REQUESTS,
  type MeasurementSkip,
  WARNING_PERCENT,
  WINDOW_HOURS,
} from './alert-policy.ts';
import type { AlertRule, AlertRuleSpec } from './alert-rule.ts';
import type { AlertNotice } from './channels/alert-notice.ts';

/** A half-open span of epoch ms `[fromMs, toMs)`. */
export interface Span {
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * The window of the non-budget types at `nowMs`: the previous UTC hour and the current one
 * (whose rollup grows live), i.e. `[startOfHour(now) - 1 h, startOfHour(now) + 1 h)`.
 */
export function windowSpan(nowMs: number): Span {
  const hour = bucketStartMs(nowMs, 'hour');
  return { fromMs: hour - (WINDOW_HOURS - 1) * HOUR_MS, toMs: hour + HOUR_MS };
}

/** Start of the UTC calendar month holding `nowMs`. */
export function monthStartMs(nowMs: number): number {
  const now = new Date(nowMs);
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
}

/**
 * Where a budget starts summing: the UTC month start, the rule's creation, or `since`; snapped
 * down to its UTC hour (rollups are hourly: the hour holding the start counts whole).
 */
export function budgetStartMs(
  rule: Pick<AlertRule, 'period' | 'createdAt'>,
  nowMs: number,
): number {
  const period = rule.period ?? { kind: 'month' };
  const start =
    period.kind === 'month'
      ? monthStartMs(nowMs)
      : period.kind === 'since_creation'
        ? Date.parse(rule.createdAt)
        : Date.parse(period.since);
  return bucketStartMs(Math.min(start, nowMs), 'hour');
}

/**
 * The rollup reads covering `[startMs, now]` at the least cost: hourly items up to the first UTC
 * midnight, daily items for the whole days from there (the current day's grows live).
 */
export function budgetReads(
  startMs: number,
  nowMs: number,
): { hourly?: Span | undefined; daily?: Span } {
  const firstMidnight = Math.ceil(startMs / DAY_MS) * DAY_MS;
  const end = bucketStartMs(nowMs, 'hour') + HOUR_MS;
  if (firstMidnight >= end) return { hourly: { fromMs: startMs, toMs: end } };
  return {
    hourly: firstMidnight > startMs ? { fromMs: startMs, toMs: firstMidnight } : undefined,
    daily: { fromMs: firstMidnight, toMs: bucketStartMs(nowMs, 'day') + DAY_MS },
  };
}

/** What one evaluation of a rule found. */
export interface Measurement {
  /** The measured figure, formatted for emails (`12.34 EUR`, `7.5% (3 of 40 requests)`). */
  readonly figure: string;
  /** The threshold, formatted the same way. */
  readonly thresholdText: string;
  /**
   * The measured figure in the threshold's unit as an exact decimal string: money in the
   * account's currency (6 decimals), percent (1 decimal), errors, ms or requests. Null when
   * there was nothing to measure (latency without requests, an error rate without any).
   */
  readonly value: string | null;
  /** `value` as a share of the threshold (1 = reached), for gauges only; null without a value. */
  readonly ratio: number | null;
  /** The levels reached, in order (`warning` before `alert`). */
  readonly levels: readonly AlertLevel[];
  readonly skipped?: MeasurementSkip | undefined;
  /** Further lines for notices (a projection's crossing date, a spike's baseline). */
  readonly details?: AlertNotice['details'];
  /** Forecast rules: the projection, for the webhook payload. */
  readonly forecast?: AlertNotice['forecast'];
  /** Spike rules: the observed hour and its baseline, for the webhook payload. */
  readonly spike?: AlertNotice['spike'];
  /** The span the figure covers, when it is not the rule's usual one (forecast: the month). */
  readonly span?: Span;
}

/** The money an account's budgets are in, and the rate that converts to it. */
export interface AlertMoney {
  readonly currency: Currency;
  readonly quote: FxQuote;
}

/** Whether `numerator / denominator` reaches `percent`% of `threshold` (exact for integers). */
function reaches(numerator: number, denominator: number, threshold: number, percent: number) {
  return numerator * 100 >= threshold * percent * denominator;
}

export function levelsOf(numerator: number, denominator: number, threshold: number): AlertLevel[] {
  const levels: AlertLevel[] = [];
  if (reaches(numerator, denominator, threshold, WARNING_PERCENT)) levels.push('warning');
  if (reaches(numerator, denominator, threshold, 100)) levels.push('alert');
  return levels;
}

/** Items already limited to a rule's scope, summed. */
export function sumCounts(items: readonly RollupCounts[]): RollupCounts {
  let total = EMPTY_COUNTS;
  for (const item of items) total = addCounts(total, item);
  return total;
}

/** `count` and its noun, singular for exactly one: `1 request`, `3 requests`. */
export function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Micro-units as a 2-decimal string, rounded half up (display only). */
export function microsToCents(micros: bigint): string {
  const cents = (micros + 5_000n) / 10_000n;
  const text = cents.toString().padStart(3, '0');
  return `${text.slice(0, -2)}.${text.slice(-2)}`;
}

/** A 2-decimal money threshold in micro-units, exactly (the API allows 2 decimals). */
export function thresholdMicros(threshold: number): bigint {
  return BigInt(Math.round(threshold * 100)) * 10_000n;
}

/** Spend against the budget, in micro-units of the account's currency. */
function measureBudget(threshold: number, counts: RollupCounts, money: AlertMoney): Measurement {
  const spentText = convertPicoUsd(counts.costPicoUsd, money.currency, money.quote);
  const spent = BigInt(spentText.replace('.', ''));
  const limit = thresholdMicros(threshold);
  const levels: AlertLevel[] = [];
  if (spent * 100n >= limit * BigInt(WARNING_PERCENT)) levels.push('warning');
  if (spent >= limit) levels.push('alert');
  return {
    figure: `${microsToCents(spent)} ${money.currency}`,
    thresholdText: `${microsToCents(limit)} ${money.currency}`,
    value: spentText,
    ratio: Number(spent) / Number(limit),
    levels,
  };
}

/** Provider errors as a count or a share of the requests the provider answered. */
function measureErrorRate(
  rule: Pick<AlertRuleSpec, 'threshold' | 'unit'>,
  counts: RollupCounts,
): Measurement {
  // Provider errors only, out of the requests the provider answered: Metrion's own errors
  // (its 429, 502, 504…) say nothing about the provider, so they leave both sides.
  const errors = providerErrorsOf(counts);
  const answered = counts.requests - counts.metrionErrors;
  if (rule.unit === 'count') {
    return {
      figure: counted(errors, 'error'),
      thresholdText: counted(rule.threshold, 'error'),
      value: String(errors),
      ratio: errors / rule.threshold,
      levels: levelsOf(errors, 1, rule.threshold),
    };
  }
  const percent = answered === 0 ? null : Math.round((errors * 1000) / answered) / 10;
  const measured = {
    figure: percent === null ? '0%' : `${percent}% (${errors} of ${counted(answered, 'request')})`,
    thresholdText: `${rule.threshold}%`,
    value: percent === null ? null : String(percent),
    ratio: percent === null ? null : percent / rule.threshold,
  };
  if (answered < ERROR_RATE_MIN_REQUESTS) {
    return { ...measured, levels: [], skipped: 'too_few_requests' };
  }
  return { ...measured, levels: levelsOf(errors * 100, answered, rule.threshold) };
}

/**
 * Measures a budget or window rule over items already limited to its scope and span (budget:
 * its period; the others: {@link windowSpan}). Budgets compare in micro-units of the account's
 * currency, converted exactly from picodollars with the quote given (the Dashboard's).
 */
export function measureRule(
  rule: AlertRuleSpec,
  items: readonly RollupCounts[],
  money: AlertMoney,
): Measurement {
  const counts = sumCounts(items);
  switch (rule.type) {
    case 'forecast':
    case 'spike':
      throw new RangeError(`${rule.type} rules are measured by measureNow (measure-trends.ts).`);
    case 'budget':
      return measureBudget(rule.threshold, counts, money);
    case 'error_rate':
      return measureErrorRate(rule, counts);
    case 'latency_p95': {
      const p95 = histogramPercentile(counts.latencyHistogram, 0.95);
      if (p95 === null) {
        return {
          figure: 'no requests',
          thresholdText: `${rule.threshold} ms`,
          value: null,
          ratio: null,
          levels: [],
          skipped: 'no_requests',
        };
      }
      return {
        figure: `${Math.round(p95)} ms`,
        thresholdText: `${rule.threshold} ms`,
        value: String(Math.round(p95)),
        ratio: p95 / rule.threshold,
        levels: levelsOf(p95, 1, rule.threshold),
      };
    }
    case 'request_volume':
      return {
        figure: counted(counts.requests, 'request'),
        thresholdText: counted(rule.threshold, 'request'),
        value: String(counts.requests),
        ratio: counts.requests / rule.threshold,
        levels: levelsOf(counts.requests, 1, rule.threshold),
      };
  }
}

/** The state a measurement puts a rule in. */
export function stateOf(measurement: Measurement): Exclude<AlertState, 'paused'> {
  return measurement.levels.includes('alert')
    ? 'alert'
    : measurement.levels.includes('warning')
      ? 'warning'
      : 'ok';
}

/** Whether a level's cooldown since `lastFiredIso` is over at `nowMs`. */
export function cooldownOver(lastFiredIso: string | undefined, nowMs: number, cooldownMs: number) {
  return lastFiredIso === undefined || Date.parse(lastFiredIso) + cooldownMs <= nowMs;
}

/**
 * The one level to email for a measurement, if any: the highest level reached, when neither it
 * nor a level above it emailed within the cooldown. Crossing 90% and 100% in one step is one
 * Alert email (never "reached 90%" at 110%); a Warning within the cooldown of an Alert adds
 * nothing and is not sent; each level still emails at most once per cooldown.
 */
export function levelToEmail(
  reached: readonly AlertLevel[],
  lastFired: Readonly<Partial<Record<AlertLevel, string>>>,
  nowMs: number,
  cooldownMs: number,
): AlertLevel | undefined {
  const highest = ALERT_LEVELS.findLast((level) => reached.includes(level));
  if (highest === undefined) return undefined;
  const atOrAbove = ALERT_LEVELS.slice(ALERT_LEVELS.indexOf(highest));
  return atOrAbove.every((level) => cooldownOver(lastFired[level], nowMs, cooldownMs))
    ? highest
    : undefined;
}
