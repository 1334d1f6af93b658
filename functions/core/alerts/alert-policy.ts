/**
 * The alert rules catalogue: types, levels, limits and windows. Data only (the Alerts API
 * contract re-exports it, so the browser bundle reads the same numbers the evaluator uses).
 */

export const ALERT_RULE_TYPES = ['budget', 'error_rate', 'latency_p95', 'request_volume'] as const;
export type AlertRuleType = (typeof ALERT_RULE_TYPES)[number];

export const ALERT_LEVELS = ['warning', 'alert'] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];

export const ALERT_STATES = ['ok', 'warning', 'alert', 'paused'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** Why a rule's levels cannot be judged now: too few answered requests for a rate, no requests. */
export const MEASUREMENT_SKIPS = ['too_few_requests', 'no_requests'] as const;
export type MeasurementSkip = (typeof MEASUREMENT_SKIPS)[number];

export const ERROR_RATE_UNITS = ['percent', 'count'] as const;
export type ErrorRateUnit = (typeof ERROR_RATE_UNITS)[number];

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

/**
 * The policy in the numbers the Alerts page states: the window of the non-budget types in
 * minutes, the error-rate minimum, the Warning level, the cooldowns and the rule limit.
 */
export const ALERT_WINDOWS = {
  minMinutes: (WINDOW_HOURS - 1) * 60,
  maxMinutes: WINDOW_HOURS * 60,
  errorRateMinRequests: ERROR_RATE_MIN_REQUESTS,
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
 * Why a threshold does not fit its rule's type, or undefined when it fits: budget > 0 with at
 * most 2 decimals; error rate percent > 0 and <= 100, count a whole number >= 1; latency ms and
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
  if (rule.type === 'budget') {
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
