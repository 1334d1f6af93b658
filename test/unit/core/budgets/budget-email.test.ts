// A budget email as its reader gets it: the heading per level and action, the figures in the
// budget's currency, a link that survives a trailing slash, and HTML that shows a hostile name
// as text.
import { describe, expect, it } from 'vitest';
import { budgetEmail } from '#core/budgets/budget-email.ts';
import type { BudgetStatus } from '#core/budgets/budget-status.ts';
import { testBudget, USD } from '../../../fixtures/budget.ts';

const DAY_STATUS: BudgetStatus = {
  period: '2026-12-10',
  startsAtMs: Date.parse('2026-12-10T00:00:00.000Z'),
  resetsAtMs: Date.parse('2026-12-11T00:00:00.000Z'),
  spentPicoUsd: 45n * (USD / 10n),
  reservedPicoUsd: USD / 4n,
  blocked: 3,
};

describe('budgetEmail', () => {
  it('writes the daily warning of a notify budget in plain text', () => {
    const budget = testBudget('acct-a', 500, {
      name: 'Chat',
      period: 'day',
      action: 'notify',
      scope: { kind: 'model', model: 'gpt-4o' },
    });

    const email = budgetEmail({
      to: 'dev@example.com',
      budget,
      level: 'warning',
      status: DAY_STATUS,
      dashboardUrl: 'https://app.example//',
    });

    expect(email.to).toBe('dev@example.com');
    expect(email.subject).toBe('[Metrion] Budget "Chat" reached 90% of its limit');
    expect(email.text).toBe(
      [
        'Your budget has used 90% of its limit this day.',
        '',
        'Budget: Chat (model gpt-4o, notify)',
        'Spent: USD 4.50',
        'Reserved by requests in flight: USD 0.25',
        'Limit: USD 5.00 per day',
        'Refused this period: 3',
        'Resets: 2026-12-11 00:00 UTC',
        '',
        'Open Budgets: https://app.example/budgets',
        '',
        'Each level emails once per period. Manage your budgets in Metrion under Budgets.',
      ].join('\n'),
    );
  });

  it('escapes every HTML-special character of a name in the HTML part', () => {
    const budget = testBudget('acct-a', 500, { name: `<b>Tom & "Jerry's"</b>` });

    const email = budgetEmail({
      to: 'dev@example.com',
      budget,
      level: 'reached',
      status: DAY_STATUS,
      dashboardUrl: 'https://app.example',
    });

    const escaped = '&#60;b&#62;Tom &#38; &#34;Jerry&#39;s&#34;&#60;/b&#62;';
    expect(email.html).toContain(
      `<h2>Budget &#34;${escaped}&#34; reached its limit: requests are being refused</h2>`,
    );
    expect(email.html).toContain(
      `<tr><th align="left">Budget</th><td>${escaped} (all requests, block)</td></tr>`,
    );
    expect(email.html).toContain(
      '</td></tr><tr><th align="left">Spent</th><td>USD 4.50</td></tr><tr><th align="left">Reserved',
    );
    expect(email.html).toContain('<a href="https://app.example/budgets">Open Budgets</a>');
    expect(email.html).not.toContain('<b>');
  });
});
