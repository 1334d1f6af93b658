import * as z from 'zod';
import {
  ALERT_RULE_TYPES,
  ALERT_STATES,
  type AlertRuleType,
  LEVEL_COOLDOWN_HOURS,
  MAX_ALERT_RULES,
  MEASUREMENT_SKIPS,
  SPIKE_METRICS,
  spikeMinimumProblem,
  TEST_COOLDOWN_HOURS,
  thresholdProblem,
  WARNING_PERCENT,
} from '#core/alerts/alert-policy.ts';
import { hasUnsafeNameCharacter, UNSAFE_NAME_RULE } from '#core/text/safe-name.ts';
import type { ApiRoute } from './api-route.ts';
import { scopeSchema } from './scope.ts';
import { CURRENCIES, providerIdSchema } from './settings-api.ts';

/**
 * The Alerts API (`/api/alerts`, Pro only): the signed-in account's alert rules. Imports only zod
 * and the other contracts (the frontend bundles this file).
 *
 * - Every route answers 403 `plan_required` on the Free plan (the message says to upgrade to Pro).
 * - A rule id that does not belong to the caller is 404 `not_found` (never 403: ids do not leak).
 * - At most {@link MAX_ALERT_RULES} rules per account; creating one more is 409 `rule_limit`.
 * - Test sends a real email now; at most once per {@link TEST_COOLDOWN_HOURS} h per rule, else
 *   429 `rate_limit_exceeded` with a `Retry-After` header (seconds).
 * - Each rule has two levels: Warning at {@link WARNING_PERCENT}% of the threshold, Alert at
 *   100%. Each level emails the account address at most once per
 *   {@link LEVEL_COOLDOWN_HOURS} h.
 */

export {
  ALERT_LEVELS,
  ALERT_RULE_TYPES,
  ALERT_STATES,
  type AlertLevel,
  type AlertRuleType,
  type AlertState,
  ERROR_RATE_MIN_REQUESTS,
  LEVEL_COOLDOWN_HOURS,
  MAX_ALERT_RULES,
  TEST_COOLDOWN_HOURS,
  WARNING_PERCENT,
  WINDOW_HOURS,
} from '#core/alerts/alert-policy.ts';

/** Longest rule name. */
export const MAX_RULE_NAME_LENGTH = 80;

const isoInstant = z.iso.datetime({
  offset: true,
  message: 'Use an ISO 8601 date-time with a zone, e.g. 2026-11-24T00:00:00Z.',
});

/**
 * The period a budget sums over, always through now: from the start of the current calendar
 * month (UTC), from the rule's creation, or from a given instant (`since`, not in the future).
 */
export const budgetPeriodSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('month') }).strict(),
  z.object({ kind: z.literal('since_creation') }).strict(),
  z.object({ kind: z.literal('since'), since: isoInstant }).strict(),
]);
export type BudgetPeriod = z.infer<typeof budgetPeriodSchema>;

const providersSchema = z
  .array(providerIdSchema)
  .min(1, 'Leave providers out to watch all providers.')
  .max(5)
  .refine((list) => new Set(list).size === list.length, 'List each provider once.');

const nameSchema = z
  .string()
  .trim()
  .min(1, 'A name cannot be empty; leave it out instead.')
  .max(MAX_RULE_NAME_LENGTH, `A name has at most ${MAX_RULE_NAME_LENGTH} characters.`)
  .refine((name) => !hasUnsafeNameCharacter(name), `A name ${UNSAFE_NAME_RULE}`);

/** Channel ids: `email` (the account's address) or a channel from `/api/alert-channels`. */
const channelsSchema = z
  .array(z.string().regex(/^(email|ch_[0-9a-f]{20})$/, 'Use channel ids from /api/alert-channels.'))
  .min(1, 'A rule notifies at least one channel.')
  .max(10);

const common = {
  name: nameSchema.optional(),
  /** What part of the traffic: the account (default), a provider, model, requester or tag. */
  scope: scopeSchema.optional(),
  /** Rules from before scopes: a list of providers (still accepted; prefer `scope`). */
  providers: providersSchema.optional(),
  /** Where it notifies; default `["email"]`. */
  channels: channelsSchema.optional(),
  /** Create paused (default false). */
  paused: z.boolean().optional(),
};

const threshold = z.number({ message: 'threshold is a number.' });

/** Adds the type's threshold range check (`thresholdProblem`, shared with PATCH) to a variant. */
function withThresholdCheck<
  T extends z.ZodType<{
    type: AlertRuleType;
    threshold: number;
    unit?: 'percent' | 'count';
    metric?: string;
    minimum?: number;
  }>,
>(schema: T) {
  return schema.superRefine((rule, ctx) => {
    const problem = thresholdProblem(rule);
    if (problem !== undefined)
      ctx.addIssue({ code: 'custom', path: ['threshold'], message: problem });
    const minimum =
      rule.type === 'spike' ? spikeMinimumProblem(rule.metric ?? '', rule.minimum ?? 0) : undefined;
    if (minimum !== undefined)
      ctx.addIssue({ code: 'custom', path: ['minimum'], message: minimum });
  });
}

/**
 * The body of `POST /api/alerts`. Thresholds by type:
 * - `budget`: money in the account's currency, > 0, at most 2 decimals; `period` defaults to
 *   `{kind: 'month'}`.
 * - `forecast`: money in the account's currency like a budget, against the projected spend of
 *   the calendar month (UTC): the month's exact spend so far plus the last 7 days' daily
 *   average times the days left; it speaks from 3 whole days of history.
 * - `spike`: `threshold` is a factor (> 1, one decimal): the last complete hour's `metric`
 *   (`cost`, `requests` or provider `errors`) against factor x the median of the 168 hours
 *   before it; `minimum` is the volume the hour must reach (money for cost, else a count).
 * - `error_rate`: `unit` `percent` (> 0 and <= 100, decimals allowed) or `count` (whole >= 1)
 *   of provider 4xx/5xx responses in the window.
 * - `latency_p95`: milliseconds, whole, 1 to 600000 (`MAX_LATENCY_THRESHOLD_MS`).
 * - `request_volume`: requests in the window, whole >= 1.
 * Counts and money are at most 1000000000 (`MAX_THRESHOLD`).
 */
export const createAlertRuleSchema = withThresholdCheck(
  z.discriminatedUnion('type', [
    z
      .object({
        type: z.literal('budget'),
        threshold,
        period: budgetPeriodSchema.default({ kind: 'month' }),
        ...common,
      })
      .strict(),
    z.object({ type: z.literal('forecast'), threshold, ...common }).strict(),
    z
      .object({
        type: z.literal('spike'),
        metric: z.enum(SPIKE_METRICS, { message: 'metric is cost, requests or errors.' }),
        threshold,
        minimum: z.number({ message: 'minimum is a number.' }),
        ...common,
      })
      .strict(),
    z
      .object({
        type: z.literal('error_rate'),
        unit: z.enum(['percent', 'count'], { message: 'unit is percent or count.' }),
        threshold,
        ...common,
      })
      .strict(),
    z.object({ type: z.literal('latency_p95'), threshold, ...common }).strict(),
    z.object({ type: z.literal('request_volume'), threshold, ...common }).strict(),
  ]),
);
export type CreateAlertRuleRequest = z.output<typeof createAlertRuleSchema>;

/**
 * The body of `PATCH /api/alerts/{id}`: any of these; the type cannot change (delete and create).
 * `name: null` removes the name, `providers: null` watches all providers again. The new
 * threshold (and `unit`, error rate only; `period`, budget only) is checked against the rule's
 * type with the same ranges as on create. Pause/resume: `{"paused": true|false}`.
 */
export const updateAlertRuleSchema = z
  .object({
    name: nameSchema.nullable().optional(),
    threshold: z.number({ message: 'threshold is a number.' }).optional(),
    unit: z.enum(['percent', 'count']).optional(),
    period: budgetPeriodSchema.optional(),
    metric: z.enum(SPIKE_METRICS).optional(),
    minimum: z.number().optional(),
    /** Replaces the scope; also removes a legacy provider list. */
    scope: scopeSchema.optional(),
    providers: providersSchema.nullable().optional(),
    channels: channelsSchema.optional(),
    paused: z.boolean().optional(),
  })
  .strict()
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message:
      'Send at least one of name, threshold, unit, period, metric, minimum, scope, providers, channels, paused.',
  });
export type UpdateAlertRuleRequest = z.output<typeof updateAlertRuleSchema>;

export const alertRuleSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  type: z.enum(ALERT_RULE_TYPES),
  /** Budget: money in `currency`; error rate: percent or count (`unit`); latency: ms; volume: requests. */
  threshold: z.number(),
  /** Error rate only. */
  unit: z.enum(['percent', 'count']).optional(),
  /** Money rules (budget, forecast, cost spikes): the account's currency (Settings → General). */
  currency: z.enum(CURRENCIES).optional(),
  /** Budget only; the other types use the fixed window in `windows`. */
  period: budgetPeriodSchema.optional(),
  /** Spike only. */
  metric: z.enum(SPIKE_METRICS).optional(),
  minimum: z.number().optional(),
  scope: scopeSchema,
  /** Rules from before scopes: their provider list (a request must also match `scope`). */
  providers: z.array(providerIdSchema).optional(),
  /** Channel ids notified (`email` is the account's address). */
  channels: z.array(z.string()),
  paused: z.boolean(),
  createdAt: z.string(),
  /** When each level last emailed (ISO). */
  lastFired: z.object({ warning: z.string().optional(), alert: z.string().optional() }),
  /** When Test last sent an email (ISO); Test is available again 12 h later. */
  lastTestedAt: z.string().optional(),
  /** As of the last evaluation (`paused` while paused; `ok` before the first evaluation). */
  state: z.enum(ALERT_STATES),
  /** The rule's figure now, measured as the evaluator measures it (also while paused). */
  current: z.object({
    /**
     * In the threshold's unit, an exact decimal string: budget money in `currency` (6
     * decimals), error rate percent (1 decimal) or errors, p95 ms, requests. Null when nothing
     * could be measured (no requests in the window for latency or an error rate in percent).
     */
    value: z.string().nullable(),
    /** `value` / threshold (1 = reached), for a gauge; null without a value. */
    ratio: z.number().nullable(),
    /** Why no level would be judged now: too few answered requests for a rate, no requests. */
    skipped: z.enum(MEASUREMENT_SKIPS).optional(),
  }),
});
export type AlertRuleDto = z.infer<typeof alertRuleSchema>;

/** How the non-budget types measure, stated so the page can explain it. */
export const alertWindowsSchema = z.object({
  /** Window length covered, in minutes: at least `minMinutes`, at most `maxMinutes`. */
  minMinutes: z.number(),
  maxMinutes: z.number(),
  /** Error rate in percent is evaluated only with at least this many requests in the window. */
  errorRateMinRequests: z.number(),
  /** Forecast: the days its daily pace averages over, and the whole days it needs. */
  forecastPaceDays: z.number(),
  forecastMinDays: z.number(),
  /** Spike: the days of hours in its baseline, and the hours of history it needs. */
  spikeBaselineDays: z.number(),
  spikeMinBaselineHours: z.number(),
  /** Percent of the threshold at which Warning fires (Alert at 100). */
  warningPercent: z.number(),
  levelCooldownHours: z.number(),
  testCooldownHours: z.number(),
  maxRules: z.number(),
});

export const alertsListSchema = z.object({
  rules: z.array(alertRuleSchema),
  windows: alertWindowsSchema,
});
export type AlertsListDto = z.infer<typeof alertsListSchema>;

export const deletedAlertRuleSchema = z.object({ id: z.string() });

export const alertTestResultSchema = z.object({
  /** The address the email went to (the account's). */
  to: z.string(),
  sentAt: z.string(),
  /** When Test can be used again for this rule (ISO). */
  nextTestAt: z.string(),
});

/** Alert rule routes; `API_ROUTES` (api-routes.ts) spreads these in. */
export const ALERTS_ROUTES = {
  listAlertRules: {
    method: 'GET',
    path: '/api/alerts',
    auth: 'jwt',
    response: alertsListSchema,
  },
  createAlertRule: {
    method: 'POST',
    path: '/api/alerts',
    auth: 'jwt',
    status: 201,
    request: createAlertRuleSchema,
    response: alertRuleSchema,
  },
  updateAlertRule: {
    method: 'PATCH',
    path: '/api/alerts/{id}',
    auth: 'jwt',
    request: updateAlertRuleSchema,
    response: alertRuleSchema,
  },
  deleteAlertRule: {
    method: 'DELETE',
    path: '/api/alerts/{id}',
    auth: 'jwt',
    response: deletedAlertRuleSchema,
  },
  testAlertRule: {
    method: 'POST',
    path: '/api/alerts/{id}/test',
    auth: 'jwt',
    response: alertTestResultSchema,
  },
} as const satisfies Record<string, ApiRoute>;
