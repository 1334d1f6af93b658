import type { z } from 'zod';
import {
  type AlertRuleDto,
  type AlertRuleType,
  type AlertState,
  type BudgetPeriod,
  createAlertRuleSchema,
  updateAlertRuleSchema,
} from '#contracts/alerts-api.ts';
import type { ProviderId } from '#contracts/providers.ts';
import type { BodyOf } from './api-client.ts';
import { providerName } from './providers.ts';

/**
 * The Alerts page's rules without React: what the rule form holds, how it becomes an API body
 * and how that body is checked with the contract's own schemas (so the page shows the API's
 * messages before sending), plus the labels of types, states and scopes.
 */

export type ErrorRateUnit = 'percent' | 'count';
export type BudgetPeriodKind = BudgetPeriod['kind'];

/** What the New/Edit alert form holds, as the inputs give it (text, not numbers). */
export interface RuleDraft {
  readonly type: AlertRuleType;
  readonly name: string;
  readonly threshold: string;
  /** Error rate only. */
  readonly unit: ErrorRateUnit;
  /** Budget only. */
  readonly periodKind: BudgetPeriodKind;
  /** Budget `since` only: a `YYYY-MM-DD` date, from 00:00 UTC. */
  readonly since: string;
  readonly scope: 'all' | 'some';
  readonly providers: readonly ProviderId[];
}

/** The form fields an API message can belong to; `form` is anything else. */
export type DraftField = 'type' | 'name' | 'threshold' | 'unit' | 'period' | 'providers';
export type FieldErrors = Partial<Record<DraftField | 'form', string>>;

const DRAFT_FIELDS: readonly string[] = [
  'type',
  'name',
  'threshold',
  'unit',
  'period',
  'providers',
] satisfies DraftField[];

export const ALERT_TYPE_LABELS: Readonly<Record<AlertRuleType, string>> = {
  budget: 'Budget',
  forecast: 'Forecast',
  spike: 'Spike',
  error_rate: 'Error rate',
  latency_p95: 'Latency p95',
  request_volume: 'Request volume',
};

/** What each type watches, for the type picker. */
export const ALERT_TYPE_HINTS: Readonly<Record<AlertRuleType, string>> = {
  budget: 'Spending in your currency over a period you choose.',
  forecast:
    'Projected spend at the end of this month: exact spend so far plus the last 7 days’ daily average for the days left.',
  spike: 'The last complete hour against the median hour of the 7 days before it.',
  error_rate: 'Provider 4xx/5xx responses in the window, as a percentage or a count.',
  latency_p95: '95th percentile latency in the window, in milliseconds.',
  request_volume: 'Requests in the window.',
};

export const ALERT_STATE_LABELS: Readonly<Record<AlertState, string>> = {
  ok: 'OK',
  warning: 'Warning',
  alert: 'Alert',
  paused: 'Paused',
};

export const BUDGET_PERIOD_LABELS: Readonly<Record<BudgetPeriodKind, string>> = {
  month: 'This calendar month (UTC)',
  since_creation: 'Since the rule was created',
  since: 'Since a date',
};

/** A blank New Alert form. */
export function emptyDraft(type: AlertRuleType = 'budget'): RuleDraft {
  return {
    type,
    name: '',
    threshold: '',
    unit: 'percent',
    periodKind: 'month',
    since: '',
    scope: 'all',
    providers: [],
  };
}

/** The Edit form of an existing rule. */
export function draftFromRule(rule: AlertRuleDto): RuleDraft {
  return {
    type: rule.type,
    name: rule.name ?? '',
    threshold: String(rule.threshold),
    unit: rule.unit ?? 'percent',
    periodKind: rule.period?.kind ?? 'month',
    since:
      rule.period?.kind === 'since' ? new Date(rule.period.since).toISOString().slice(0, 10) : '',
    scope: rule.providers === undefined ? 'all' : 'some',
    providers: rule.providers ?? [],
  };
}

/** The typed threshold as a number: blank is missing, anything but a plain decimal is NaN. */
function thresholdOf(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  return /^-?(\d+\.?\d*|\.\d+)$/.test(trimmed) ? Number(trimmed) : Number.NaN;
}

function periodOf(draft: RuleDraft): unknown {
  if (draft.periodKind !== 'since') return { kind: draft.periodKind };
  return { kind: 'since', since: draft.since === '' ? '' : `${draft.since}T00:00:00Z` };
}

/** The create body as the form states it (unchecked: the schema judges it). */
function createCandidate(draft: RuleDraft): Record<string, unknown> {
  const rule: Record<string, unknown> = {
    type: draft.type,
    threshold: thresholdOf(draft.threshold),
  };
  if (draft.type === 'budget') rule.period = periodOf(draft);
  if (draft.type === 'error_rate') rule.unit = draft.unit;
  if (draft.name.trim() !== '') rule.name = draft.name;
  if (draft.scope === 'some') rule.providers = [...draft.providers];
  return rule;
}

/** The PATCH body: every editable field of the rule's type; blank name and all providers clear. */
function updateCandidate(draft: RuleDraft, rule: AlertRuleDto): Record<string, unknown> {
  const patch: Record<string, unknown> = {
    threshold: thresholdOf(draft.threshold),
    providers: draft.scope === 'some' ? [...draft.providers] : null,
  };
  if (rule.type === 'budget') patch.period = periodOf(draft);
  if (rule.type === 'error_rate') patch.unit = draft.unit;
  if (draft.name.trim() !== '') patch.name = draft.name;
  else if (rule.name !== undefined) patch.name = null;
  return patch;
}

/** Each field's first message from a failed parse. */
function fieldErrors(error: z.ZodError, into: FieldErrors = {}): FieldErrors {
  const errors: FieldErrors = { ...into };
  for (const issue of error.issues) {
    const head = issue.path[0];
    const field = typeof head === 'string' && DRAFT_FIELDS.includes(head) ? head : 'form';
    errors[field as DraftField | 'form'] ??= issue.message;
  }
  return errors;
}

export type Checked<T> =
  | { readonly ok: true; readonly body: T }
  | { readonly ok: false; readonly errors: FieldErrors };

/** The New Alert form checked with the API's `createAlertRuleSchema`. */
export function checkCreate(draft: RuleDraft): Checked<BodyOf<'createAlertRule'>> {
  const parsed = createAlertRuleSchema.safeParse(createCandidate(draft));
  return parsed.success
    ? { ok: true, body: parsed.data }
    : { ok: false, errors: fieldErrors(parsed.error) };
}

/**
 * The Edit form checked as the API does: the patch with `updateAlertRuleSchema`, and the edited
 * rule as a whole with `createAlertRuleSchema` (the threshold ranges of the rule's type).
 */
export function checkUpdate(
  draft: RuleDraft,
  rule: AlertRuleDto,
): Checked<BodyOf<'updateAlertRule'>> {
  const whole = createAlertRuleSchema.safeParse(createCandidate({ ...draft, type: rule.type }));
  const patch = updateAlertRuleSchema.safeParse(updateCandidate(draft, rule));
  if (whole.success && patch.success) return { ok: true, body: patch.data };
  const errors = whole.success ? {} : fieldErrors(whole.error);
  return { ok: false, errors: patch.success ? errors : fieldErrors(patch.error, errors) };
}

/** A rule's name, or what it is when it has none. */
export function ruleLabel(rule: Pick<AlertRuleDto, 'name' | 'type'>): string {
  return rule.name ?? `${ALERT_TYPE_LABELS[rule.type]} rule`;
}

/** `All providers` or the watched providers by name. */
export function scopeText(providers: readonly ProviderId[] | undefined): string {
  return providers === undefined ? 'All providers' : providers.map(providerName).join(', ');
}

/** The level that emailed last and when, or undefined when the rule never fired. */
export function lastFiring(
  rule: Pick<AlertRuleDto, 'lastFired'>,
): { readonly level: 'Warning' | 'Alert'; readonly at: string } | undefined {
  const { warning, alert } = rule.lastFired;
  if (alert !== undefined && (warning === undefined || Date.parse(alert) >= Date.parse(warning))) {
    return { level: 'Alert', at: alert };
  }
  return warning === undefined ? undefined : { level: 'Warning', at: warning };
}

/** When an action refused with `Retry-After: seconds` at `nowMs` is allowed again (ISO). */
export function retryAt(retryAfterSeconds: number, nowMs: number): string {
  return new Date(nowMs + retryAfterSeconds * 1000).toISOString();
}

/** The rule list with one rule replaced (by id) or added at the end. */
export function withRule(rules: readonly AlertRuleDto[], rule: AlertRuleDto): AlertRuleDto[] {
  return rules.some((entry) => entry.id === rule.id)
    ? rules.map((entry) => (entry.id === rule.id ? rule : entry))
    : [...rules, rule];
}
