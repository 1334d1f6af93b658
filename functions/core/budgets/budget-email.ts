import { describeScope } from '../attribution/scope.ts';
import type { EmailMessage } from '../ports/mailer.ts';
import type { Budget, BudgetLevel } from './budget.ts';
import { BUDGET_WARNING_PERCENT } from './budget.ts';
import { utcMinute } from './budget-period.ts';
import type { BudgetStatus } from './budget-status.ts';
import { limitText, moneyText } from './budget-text.ts';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Plain text and HTML of a budget's warning (90%) or reached (100%) email. */
export function budgetEmail(input: {
  readonly to: string;
  readonly budget: Budget;
  readonly level: BudgetLevel;
  readonly status: BudgetStatus;
  readonly dashboardUrl: string;
}): EmailMessage {
  const { budget, status } = input;
  const blocking = budget.action === 'block';
  const heading =
    input.level === 'warning'
      ? `Budget "${budget.name}" reached ${BUDGET_WARNING_PERCENT}% of its limit`
      : blocking
        ? `Budget "${budget.name}" reached its limit: requests are being refused`
        : `Budget "${budget.name}" reached its limit`;
  const intro =
    input.level === 'warning'
      ? `Your budget has used ${BUDGET_WARNING_PERCENT}% of its limit this ${budget.period}.`
      : blocking
        ? 'Your budget has no room left for more requests this period: Metrion refuses those that could cross it (HTTP 402, budget_exceeded) until it resets.'
        : 'Your budget reached its limit this period (it only notifies: requests still go through).';
  const link = `${input.dashboardUrl.replace(/\/+$/, '')}/budgets`;
  const lines: [string, string][] = [
    ['Budget', `${budget.name} (${describeScope(budget.scope)}, ${budget.action})`],
    ['Spent', moneyText(status.spentPicoUsd, budget)],
    ['Reserved by requests in flight', moneyText(status.reservedPicoUsd, budget)],
    ['Limit', `${limitText(budget)} per ${budget.period}`],
    ['Refused this period', String(status.blocked)],
    ['Resets', utcMinute(status.resetsAtMs)],
  ];
  const footer = 'Each level emails once per period. Manage your budgets in Metrion under Budgets.';
  const text = [
    intro,
    '',
    ...lines.map(([key, value]) => `${key}: ${value}`),
    '',
    `Open Budgets: ${link}`,
    '',
    footer,
  ].join('\n');
  const html = `<!doctype html><html><body style="font-family:sans-serif">
<h2>${escapeHtml(heading)}</h2>
<p>${escapeHtml(intro)}</p>
<table>${lines.map(([key, value]) => `<tr><th align="left">${escapeHtml(key)}</th><td>${escapeHtml(value)}</td></tr>`).join('')}</table>
<p><a href="${escapeHtml(link)}">Open Budgets</a></p>
<p style="color:#666">${escapeHtml(footer)}</p>
</body></html>`;
  return { to: input.to, subject: `[Metrion] ${heading}`, text, html };
}
