import type { Scope } from '../attribution/scope.ts';
import type { AlertLevel, AlertRuleType } from './alert-policy.ts';
import { ACCOUNT_SCOPE, type AlertRule, ruleScopeText } from './alert-rule.ts';
import type { AlertNotice } from './channels/alert-notice.ts';
import type { Measurement, Span } from './measure-rule.ts';

const TYPE_LABEL: Record<AlertRuleType, string> = {
  budget: 'Budget',
  forecast: 'Forecast',
  spike: 'Spike',
  error_rate: 'Error rate',
  latency_p95: 'Latency p95',
  request_volume: 'Request volume',
};

/** The rule's name, or its type when unnamed. */
export function ruleLabel(rule: Pick<AlertRule, 'name' | 'type'>): string {
  return rule.name ?? `${TYPE_LABEL[rule.type]} alert`;
}

function utc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "from 2026-11-01 00:00 UTC through now" */
export function periodText(span: { readonly fromMs: number }): string {
  return `from ${utc(span.fromMs)} through now`;
}

/** The Dashboard filter a scope stands for (`provider=openai`, `tag=feature:search`). */
function scopeFilter(scope: Scope): [string, string] | undefined {
  switch (scope.kind) {
    case 'account':
      return undefined;
    case 'provider':
      return ['provider', scope.provider];
    case 'model':
      return ['model', scope.model];
    case 'requester':
      return ['requester', scope.requester];
    case 'tag':
      return ['tag', `${scope.key}:${scope.value}`];
  }
}

/**
 * The Dashboard filtered to the rule: its scope (and a legacy provider list), the span, the
 * Costs tab for money rules and errors for error rates.
 */
export function dashboardLink(
  rule: Pick<AlertRule, 'type' | 'scope' | 'providers' | 'metric'>,
  span: Span,
  dashboardUrl: string,
) {
  const query = new URLSearchParams({
    range: 'custom',
    from: new Date(span.fromMs).toISOString(),
    to: new Date(span.toMs).toISOString(),
  });
  const filter = scopeFilter(rule.scope ?? ACCOUNT_SCOPE);
  if (filter !== undefined) query.append(...filter);
  for (const provider of rule.providers ?? []) query.append('provider', provider);
  if (rule.type === 'error_rate' || (rule.type === 'spike' && rule.metric === 'errors')) {
    query.append('status', '4xx');
    query.append('status', '5xx');
  }
  if (
    rule.type === 'budget' ||
    rule.type === 'forecast' ||
    (rule.type === 'spike' && rule.metric === 'cost')
  ) {
    query.set('tab', 'costs');
  }
  return `${dashboardUrl.replace(/\/+$/, '')}/dashboard?${query.toString()}`;
}

const HEADLINE: Record<AlertLevel | 'test', (label: string, type: AlertRuleType) => string> = {
  test: (label) => `Test: ${label}`,
  warning: (label, type) =>
    type === 'forecast'
      ? `Warning: ${label} is projected to reach 90% of its threshold`
      : `Warning: ${label} reached 90% of its threshold`,
  alert: (label, type) =>
    type === 'forecast'
      ? `Alert: ${label} is projected to reach its threshold`
      : `Alert: ${label} reached its threshold`,
};

/** What a rule's level (or Test) says, from its measurement over `span`. */
export function buildNotice(input: {
  readonly rule: AlertRule;
  readonly level: AlertLevel | 'test';
  readonly measurement: Measurement;
  readonly span: Span;
  readonly dashboardUrl: string;
  readonly nowMs: number;
}): AlertNotice {
  const { rule, measurement, span } = input;
  const label = ruleLabel(rule);
  return {
    ruleId: rule.ruleId,
    ruleName: label,
    ruleType: rule.type,
    scope: rule.scope ?? ACCOUNT_SCOPE,
    scopeText: `${TYPE_LABEL[rule.type]}, ${ruleScopeText(rule)}`,
    level: input.level,
    headline: HEADLINE[input.level](label, rule.type),
    value: measurement.figure,
    threshold: measurement.thresholdText,
    period: {
      from: new Date(span.fromMs).toISOString(),
      to: new Date(span.toMs).toISOString(),
      text:
        rule.type === 'forecast'
          ? `the month of ${new Date(span.fromMs).toISOString().slice(0, 7)}`
          : periodText(span),
    },
    details: measurement.details ?? [],
    forecast: measurement.forecast,
    spike: measurement.spike,
    dashboardUrl: dashboardLink(rule, span, input.dashboardUrl),
    firedAt: new Date(input.nowMs).toISOString(),
  };
}
