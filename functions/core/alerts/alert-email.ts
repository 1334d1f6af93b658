import type { EmailMessage } from '../ports/mailer.ts';
import type { AlertLevel } from './alert-policy.ts';
import type { AlertRule } from './alert-rule.ts';
import type { Span } from './measure-rule.ts';

const TYPE_LABEL: Record<AlertRule['type'], string> = {
  budget: 'Budget',
  error_rate: 'Error rate',
  latency_p95: 'Latency p95',
  request_volume: 'Request volume',
};

/** What an alert email says. */
export interface AlertEmailInput {
  readonly to: string;
  readonly rule: AlertRule;
  /** `test` for the Test button. */
  readonly level: AlertLevel | 'test';
  readonly figure: string;
  readonly thresholdText: string;
  /** What was measured, e.g. "since 2026-11-01 00:00 UTC". */
  readonly periodText: string;
  /** The measured span, for the Dashboard link. */
  readonly span: Span;
  /** The Dashboard's base URL (`https://app.example.com`). */
  readonly dashboardUrl: string;
}

/** The rule's name, or its type when unnamed. */
export function ruleLabel(rule: AlertRule): string {
  return rule.name ?? `${TYPE_LABEL[rule.type]} alert`;
}

function utc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "from 2026-11-01 00:00 UTC to now" */
export function periodText(span: { readonly fromMs: number }): string {
  return `from ${utc(span.fromMs)} through now`;
}

/** The Dashboard filtered to the rule: its providers, the span, and errors for error rates. */
export function dashboardLink(input: Pick<AlertEmailInput, 'rule' | 'span' | 'dashboardUrl'>) {
  const query = new URLSearchParams({
    range: 'custom',
    from: new Date(input.span.fromMs).toISOString(),
    to: new Date(input.span.toMs).toISOString(),
  });
  for (const provider of input.rule.providers ?? []) query.append('provider', provider);
  if (input.rule.type === 'error_rate') {
    query.append('status', '4xx');
    query.append('status', '5xx');
  }
  return `${input.dashboardUrl.replace(/\/+$/, '')}/dashboard?${query.toString()}`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Plain text and HTML of an alert (or test) email. */
export function alertEmail(input: AlertEmailInput): EmailMessage {
  const label = ruleLabel(input.rule);
  const scope = input.rule.providers?.join(', ') ?? 'all providers';
  const heading =
    input.level === 'test'
      ? `Test: ${label}`
      : input.level === 'warning'
        ? `Warning: ${label} reached 90% of its threshold`
        : `Alert: ${label} reached its threshold`;
  const link = dashboardLink(input);
  const lines: [string, string][] = [
    ['Rule', `${label} (${TYPE_LABEL[input.rule.type]}, ${scope})`],
    ['Current value', input.figure],
    ['Threshold', input.thresholdText],
    ['Period', input.periodText],
  ];
  const intro =
    input.level === 'test'
      ? 'This is a test of your Metrion alert rule; it was sent on request, regardless of usage.'
      : input.level === 'warning'
        ? 'Your Metrion alert rule reached its Warning level (90% of the threshold).'
        : 'Your Metrion alert rule reached its threshold.';
  const text = [
    intro,
    '',
    ...lines.map(([key, value]) => `${key}: ${value}`),
    '',
    `Open the Dashboard: ${link}`,
    '',
    'Each level emails at most once per 24 hours. Manage your rules in Metrion under Alerts.',
  ].join('\n');
  const html = `<!doctype html><html><body style="font-family:sans-serif">
<h2>${escapeHtml(heading)}</h2>
<p>${escapeHtml(intro)}</p>
<table>${lines.map(([key, value]) => `<tr><th align="left">${escapeHtml(key)}</th><td>${escapeHtml(value)}</td></tr>`).join('')}</table>
<p><a href="${escapeHtml(link)}">Open the Dashboard</a></p>
<p style="color:#666">Each level emails at most once per 24 hours. Manage your rules in Metrion under Alerts.</p>
</body></html>`;
  return { to: input.to, subject: `[Metrion] ${heading}`, text, html };
}
