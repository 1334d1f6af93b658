/**
 * The alert rules catalogue: types, levels, limits and windows. Data only (the Alerts API
 * contract re-exports it, so the browser bundle reads the same numbers the evaluator uses).
 */

export const ALERT_RULE_TYPES = [
  'budget',
  'forecast',
  'spike',
  'error_rate',
  'latency_p95',
  'request_volume',
] as const;
export type AlertRuleType = (typeof ALERT_RULE_TYPES)[number];

export const ALERT_LEVELS = ['warning', 'alert'] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];

export const ALERT_STATES = ['ok', 'warning', 'alert', 'paused'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/**
 * Why a rule's levels cannot be judged now: too few answered requests for a rate, no requests
 * for a percentile, too little history for a forecast or a spike baseline, or a spike's hour
 * not sealed yet.
 */
export const MEASUREMENT_SKIPS = [
  'too_few_requests',
  'no_requests',
  'too_little_history',
  'awaiting_seal',
  'below_minimum',
] as const;
export type MeasurementSkip = (typeof MEASUREMENT_SKIPS)[number];

export const ERROR_RATE_UNITS = ['percent', 'count'] as const;
export type ErrorRateUnit = (typeof ERROR_RATE_UNITS)[number];

/** What a spike rule counts: cost, requests, or the provider's errors. */
export const SPIKE_METRICS = ['cost', 'requests', 'errors'] as const;
export type SpikeMetric = (typeof SPIKE_METRICS)[number];

/** Most webhook and Slack channels one account can have (email is built in). */
export const MAX_ALERT_CHANNELS = 10;

/** Most rules one account can have; one more is 409 `rule_limit`. */
export const MAX_ALERT_RULES = 50;
/** Warning fires at this percentage of the threshold; Alert at 100%. */
export const WARNING_PERCENT = 90;
/** Each level of each rule emails at most once per this many hours. */
export const LEVEL_COOLDOWN_HOURS = 24;
/** Test emails: at most one per rule per this many hours. */
export const TEST_COOLDOWN_HOURS = 12;
/**
 * The window of the non-budget types: rollups are hourly (UTC), so it is the previous UTC hour
 * plus the current one through now, between 60 and 120 minutes of traffic.
 */
export const WINDOW_HOURS = 2;
/**
 * Error rate in percent is only judged with at least this many requests in the window that the
 * provider answered (Metrion's own errors left out).
 */
export const ERROR_RATE_MIN_REQUESTS = 20;

/** Spike factors: more than 1, at most this, one decimal. */
export const MAX_SPIKE_FACTOR = 100;

/** Days a forecast's daily pace averages over. */
export const FORECAST_PACE_DAYS = 7;
/** A forecast needs at least this many whole days of history for its pace. */
export const FORECAST_MIN_DAYS = 3;
/** A spike's baseline: the 7 days of hours before the observed hour. */
export const SPIKE_BASELINE_HOURS = 7 * 24;
/** A spike is judged only with at least this many baseline hours of history (an account's). */
export const SPIKE_MIN_BASELINE_HOURS = 24;

/**
 * The policy in the numbers the Alerts page states: the window of the non-budget types in
 * minutes, the error-rate minimum, the forecast's pace and history, the spike's baseline, the
 * Warning level, the cooldowns and the rule limit.
 */
export const ALERT_WINDOWS = {
  minMinutes: (WINDOW_HOURS - 1) * 60,
  maxMinutes: WINDOW_HOURS * 60,
  errorRateMinRequests: ERROR_RATE_MIN_REQUESTS,
  forecastPaceDays: FORECAST_PACE_DAYS,
  forecastMinDays: FORECAST_MIN_DAYS,
  spikeBaselineDays: SPIKE_BASELINE_HOURS / 24,
  spikeMinBaselineHours: SPIKE_MIN_BASELINE_HOURS,
  warningPercent: WARNING_PERCENT,
  levelCooldownHours: LEVEL_COOLDOWN_HOURS,
  testCooldownHours: TEST_COOLDOWN_HOURS,
  maxRules: MAX_ALERT_RULES,
} as const;

/** Largest count or money threshold. */
export const MAX_THRESHOLD = 1_000_000_000;
/** Largest latency threshold (ms). */
export const MAX_LATENCY_THRESHOLD_MS = 600_000;

/**
 * Why a threshold does not fit its rule's type, or undefined when it fits: budget and forecast
 * > 0 with at most 2 decimals; spike factor > 1 with at most 1 decimal; error rate percent > 0 and <= 100, count a whole number >= 1; latency ms and
 * request volume whole numbers >= 1. Every maximum is {@link MAX_THRESHOLD} (latency
 * {@link MAX_LATENCY_THRESHOLD_MS}).
 */
export function thresholdProblem(rule: {
  readonly type: AlertRuleType;
  readonly threshold: number;
  readonly unit?: ErrorRateUnit | undefined;
}): string | undefined {
  const { threshold } = rule;
  if (!Number.isFinite(threshold)) return 'threshold is a number.';
  if (rule.type === 'spike') {
    return threshold > 1 &&
      threshold <= MAX_SPIKE_FACTOR &&
      Math.round(threshold * 10) === threshold * 10
      ? undefined
      : `A spike factor is above 1 and at most ${MAX_SPIKE_FACTOR}, with at most 1 decimal.`;
  }
  if (rule.type === 'budget' || rule.type === 'forecast') {
    if (!(threshold > 0) || threshold > MAX_THRESHOLD) {
      return `A budget is above 0 and at most ${MAX_THRESHOLD}.`;
    }
    return Number(threshold.toFixed(2)) === threshold
      ? undefined
      : 'A budget has at most 2 decimals.';
  }
  if (rule.type === 'error_rate' && rule.unit !== 'count') {
    return threshold > 0 && threshold <= 100
      ? undefined
      : 'A percentage is above 0 and at most 100.';
  }
  const max = rule.type === 'latency_p95' ? MAX_LATENCY_THRESHOLD_MS : MAX_THRESHOLD;
  return Number.isInteger(threshold) && threshold >= 1 && threshold <= max
    ? undefined
    : `threshold is a whole number from 1 to ${max}.`;
}

/**
 * Why a spike's minimum volume does not fit its metric, or undefined: cost is money in the
 * account's currency (> 0, 2 decimals), requests and errors whole numbers >= 1.
 */
export function spikeMinimumProblem(metric: string, minimum: number): string | undefined {
  if (!Number.isFinite(minimum) || minimum <= 0 || minimum > MAX_THRESHOLD) {
    return `minimum is above 0 and at most ${MAX_THRESHOLD}.`;
  }
  if (metric === 'cost') {
    return Number(minimum.toFixed(2)) === minimum
      ? undefined
      : 'A money minimum has at most 2 decimals.';
  }
  return Number.isInteger(minimum) ? undefined : 'minimum is a whole number of requests or errors.';
}
