import type { EmailMessage } from '../../ports/mailer.ts';
import { LEVEL_COOLDOWN_HOURS } from '../alert-policy.ts';
import type { AlertNotice } from './alert-notice.ts';

const INTRO: Record<AlertNotice['level'], string> = {
  test: 'This is a test of your Metrion alert rule; it was sent on request, regardless of usage.',
  warning: 'Your Metrion alert rule reached its Warning level (90% of the threshold).',
  alert: 'Your Metrion alert rule reached its threshold.',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Plain text and HTML of an alert (or Test) email to `to`. */
export function noticeEmail(notice: AlertNotice, to: string): EmailMessage {
  const lines: (readonly [string, string])[] = [
    ['Rule', `${notice.ruleName} (${notice.scopeText})`],
    ['Current value', notice.value],
    ['Threshold', notice.threshold],
    ['Period', notice.period.text],
    ...notice.details,
  ];
  const footer = `Each level notifies each channel at most once per ${LEVEL_COOLDOWN_HOURS} hours. Manage your rules in Metrion under Alerts.`;
  const text = [
    INTRO[notice.level],
    '',
    ...lines.map(([key, value]) => `${key}: ${value}`),
    '',
    `Open the Dashboard: ${notice.dashboardUrl}`,
    '',
    footer,
  ].join('\n');
  const html = `<!doctype html><html><body style="font-family:sans-serif">
<h2>${escapeHtml(notice.headline)}</h2>
<p>${escapeHtml(INTRO[notice.level])}</p>
<table>${lines.map(([key, value]) => `<tr><th align="left">${escapeHtml(key)}</th><td>${escapeHtml(value)}</td></tr>`).join('')}</table>
<p><a href="${escapeHtml(notice.dashboardUrl)}">Open the Dashboard</a></p>
<p style="color:#666">${escapeHtml(footer)}</p>
</body></html>`;
  return { to, subject: `[Metrion] ${notice.headline}`, text, html };
}
