import {
  type AlertRuleDto,
  type AlertRuleType,
  type AlertState,
  type BudgetPeriod,
  createAlertRuleSchema,
  updateAlertRuleSchema,
} from '#contracts/alerts-api.ts';
import type { BodyOf } from './api-client.ts';
import { type Checked, type FieldMessages, firstMessagePerField } from './form-errors.ts';
import { providerName } from './providers.ts';
import { type ScopeKind, scopeText as scopeOnlyText, scopeValueText } from './scopes.ts';

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
  /** Spike only: what is counted, and the hour's minimum volume (money for cost). */
  readonly metric: SpikeMetric;
  readonly minimum: string;
  /** The rule's scope: its kind and, except for the account, its value (`key:value` for tags). */
  readonly scopeKind: ScopeKind;
  readonly scopeValue: string;
  /** Channel ids notified (`email` is the account's address). */
  readonly channels: readonly string[];
}

export type SpikeMetric = 'cost' | 'requests' | 'errors';

/** The form fields an API message can belong to; `form` is anything else. */
export type DraftField =
  | 'type'
  | 'name'
  | 'threshold'
  | 'unit'
  | 'period'
  | 'metric'
  | 'minimum'
  | 'scope'
  | 'channels';
export type FieldErrors = FieldMessages<DraftField>;

const DRAFT_FIELDS: readonly DraftField[] = [
  'type',
  'name',
  'threshold',
  'unit',
  'period',
  'metric',
  'minimum',
  'scope',
  'channels',
];

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
    metric: 'requests',
    minimum: '',
    scopeKind: 'account',
    scopeValue: '',
    channels: ['email'],
  };
}

/** The scope the draft states (unchecked: the schema judges it). */
function scopeOf(draft: RuleDraft): unknown {
  const value = draft.scopeValue.trim();
  switch (draft.scopeKind) {
    case 'account':
      return { kind: 'account' };
    case 'provider':
      return { kind: 'provider', provider: value };
    case 'model':
      return { kind: 'model', model: value };
    case 'requester':
      return { kind: 'requester', requester: value };
    case 'tag': {
      const at = value.indexOf(':');
      return { kind: 'tag', key: value.slice(0, Math.max(0, at)), value: value.slice(at + 1) };
    }
  }
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
    metric: rule.metric ?? 'requests',
    minimum: rule.minimum === undefined ? '' : String(rule.minimum),
    scopeKind: rule.scope.kind,
    scopeValue: scopeValueText(rule.scope),
    channels: rule.channels,
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
  if (draft.type === 'spike') {
    rule.metric = draft.metric;
    rule.minimum = thresholdOf(draft.minimum);
  }
  if (draft.name.trim() !== '') rule.name = draft.name;
  if (draft.scopeKind !== 'account') rule.scope = scopeOf(draft);
  rule.channels = [...draft.channels];
  return rule;
}

/**
 * The PATCH body: every editable field of the rule's type; a blank name clears. The scope is
 * sent only when changed, so a rule from before scopes keeps its provider list until then.
 */
function updateCandidate(draft: RuleDraft, rule: AlertRuleDto): Record<string, unknown> {
  const patch: Record<string, unknown> = {
    threshold: thresholdOf(draft.threshold),
    channels: [...draft.channels],
  };
  const scope = scopeOf(draft);
  if (JSON.stringify(scope) !== JSON.stringify(rule.scope)) patch.scope = scope;
  if (rule.type === 'budget') patch.period = periodOf(draft);
  if (rule.type === 'error_rate') patch.unit = draft.unit;
  if (rule.type === 'spike') {
    patch.metric = draft.metric;
    patch.minimum = thresholdOf(draft.minimum);
  }
  if (draft.name.trim() !== '') patch.name = draft.name;
  else if (rule.name !== undefined) patch.name = null;
  return patch;
}

/** The New Alert form checked with the API's `createAlertRuleSchema`. */
export function checkCreate(draft: RuleDraft): Checked<BodyOf<'createAlertRule'>, DraftField> {
  const parsed = createAlertRuleSchema.safeParse(createCandidate(draft));
  return parsed.success
    ? { ok: true, body: parsed.data }
    : { ok: false, errors: firstMessagePerField(parsed.error, DRAFT_FIELDS) };
}

/**
 * The Edit form checked as the API does: the patch with `updateAlertRuleSchema`, and the edited
 * rule as a whole with `createAlertRuleSchema` (the threshold ranges of the rule's type).
 */
export function checkUpdate(
  draft: RuleDraft,
  rule: AlertRuleDto,
): Checked<BodyOf<'updateAlertRule'>, DraftField> {
  const whole = createAlertRuleSchema.safeParse(createCandidate({ ...draft, type: rule.type }));
  const patch = updateAlertRuleSchema.safeParse(updateCandidate(draft, rule));
  if (whole.success && patch.success) return { ok: true, body: patch.data };
  const errors = whole.success ? {} : firstMessagePerField(whole.error, DRAFT_FIELDS);
  return {
    ok: false,
    errors: patch.success ? errors : firstMessagePerField(patch.error, DRAFT_FIELDS, errors),
  };
}

/** A rule's name, or what it is when it has none. */
export function ruleLabel(rule: Pick<AlertRuleDto, 'name' | 'type'>): string {
  return rule.name ?? `${ALERT_TYPE_LABELS[rule.type]} rule`;
}

/** `All requests`, `Provider OpenAI`, `Tag feature:search`; a legacy provider list by name. */
export function scopeText(rule: Pick<AlertRuleDto, 'scope' | 'providers'>): string {
  const { scope } = rule;
  const main = scopeOnlyText(scope);
  if (rule.providers === undefined) return main;
  const providers = rule.providers.map(providerName).join(', ');
  return scope.kind === 'account' ? providers : `${main}, ${providers}`;
}

export const SPIKE_METRIC_LABELS: Readonly<Record<SpikeMetric, string>> = {
  cost: 'Cost',
  requests: 'Requests',
  errors: 'Provider errors',
};

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
