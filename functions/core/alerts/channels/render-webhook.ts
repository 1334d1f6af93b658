import type { AlertNotice } from './alert-notice.ts';

/** The version of the webhook JSON; a breaking change gets a new one. */
export const WEBHOOK_PAYLOAD_VERSION = 1;

/**
 * The webhook body (documented in docs/alerts.md): `type` is `alert.fired` or `alert.test`; `id`
 * is the delivery id, the same on every retry (also in `x-metrion-delivery`).
 */
export function webhookBody(deliveryId: string, notice: AlertNotice): string {
  return JSON.stringify({
    id: deliveryId,
    version: WEBHOOK_PAYLOAD_VERSION,
    type: notice.level === 'test' ? 'alert.test' : 'alert.fired',
    firedAt: notice.firedAt,
    level: notice.level,
    summary: notice.headline,
    rule: {
      id: notice.ruleId,
      name: notice.ruleName,
      type: notice.ruleType,
      scope: notice.scope,
    },
    value: notice.value,
    threshold: notice.threshold,
    period: { from: notice.period.from, to: notice.period.to },
    forecast: notice.forecast,
    spike: notice.spike,
    dashboardUrl: notice.dashboardUrl,
  });
}

/** Slack's escaping for text in mrkdwn: `&`, `<` and `>` only. */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A Slack incoming-webhook body: a plain `text` fallback (notifications) and Block Kit blocks
 * with the headline, the figures as fields and a button to the filtered Dashboard.
 */
export function slackBody(notice: AlertNotice): string {
  const fields = [
    ['Value', notice.value],
    ['Threshold', notice.threshold],
    ['Scope', notice.scopeText],
    ['Period', notice.period.text],
    ...notice.details,
  ].map(([label, value]) => ({
    type: 'mrkdwn',
    text: `*${slackEscape(label ?? '')}*\n${slackEscape(value ?? '')}`,
  }));
  return JSON.stringify({
    text: `${notice.headline}: ${notice.value} (threshold ${notice.threshold})`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: notice.headline.slice(0, 150) } },
      // Slack allows at most 10 fields per section.
      { type: 'section', fields: fields.slice(0, 10) },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            text: { type: 'plain_text', text: 'Open the Dashboard' },
            url: notice.dashboardUrl,
          },
        ],
      },
    ],
  });
}
