// The budget sweep over in-memory budgets: reservations given back after the horizon, stale
// ledger entries dropped, limits converted again at a newer rate, and the 90% and 100% emails
// sent once per level and period. Money is hand-counted: $1 = 10^12 pico-USD.
import { describe, expect, it } from 'vitest';
import type { Budget } from '#core/budgets/budget.ts';
import { staleEntries, sweepBudgets } from '#core/budgets/sweep-budgets.ts';
import type { FxQuote } from '#core/currency/fx.ts';
import type { LedgerState } from '#core/ports/budget-ledger.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';
import { FakeMailer } from '../../../fakes/fake-mailer.ts';
import { InMemoryAccountStore } from '../../../fakes/in-memory-account-store.ts';
import { InMemoryBudgets } from '../../../fakes/in-memory-budgets.ts';
import { testAccount, UNOPENED_SEALED_SECRET } from '../../../fixtures/account.ts';
import { testBudget, USD } from '../../../fixtures/budget.ts';
import { type CapturedLog, capturingLogger } from '../../../fixtures/capturing-logger.ts';

const NOW = Date.parse('2026-12-10T12:00:00.000Z');
const MINUTE = 60_000;
const QUOTE: FxQuote = { date: '2026-12-09', usdPerEur: '1.25', chfPerEur: '0.95', source: 'ecb' };

async function setup(accountIds: readonly string[] = ['acct-a']) {
  const budgets = new InMemoryBudgets();
  const accounts = new InMemoryAccountStore();
  for (const id of accountIds) {
    await accounts.createAccount(testAccount(id), {
      digest: `digest-${id}`,
      sealed: UNOPENED_SEALED_SECRET,
    });
  }
  const mailer = new FakeMailer();
  const clock = new FakeClock({ startMs: NOW });
  const logs: CapturedLog[] = [];
  const deps = {
    budgets,
    ledger: budgets,
    accounts,
    fxRates: { latest: async () => QUOTE, put: async () => undefined },
    mailer,
    clock,
    logger: capturingLogger(logs),
    dashboardUrl: 'https://app.example/',
  };
  const add = async (budget: Budget) => {
    expect(await budgets.create(budget, 200)).toBe(true);
    return budget;
  };
  /** Settles a request of `picoUsd` on `budget`'s December, as a record would. */
  const spend = async (budget: Budget, requestId: string, picoUsd: bigint) => {
    reserve(budget, requestId, picoUsd, NOW);
    await budgets.settle(
      budget.accountId,
      requestId,
      { reservedPicoUsd: picoUsd, charges: [{ budgetId: budget.budgetId, period: '2026-12' }] },
      picoUsd,
    );
  };
  const reserve = (budget: Budget, requestId: string, picoUsd: bigint, atMs: number) =>
    budgets.reserve(budget.accountId, {
      kind: 'reserve',
      viewVersion: undefined,
      requestId,
      reservedPicoUsd: picoUsd,
      charges: [{ budgetId: budget.budgetId, period: '2026-12', ceilingPicoUsd: 100n * USD }],
      reservedAtMs: atMs,
    });
  return { budgets, mailer, clock, logs, add, spend, reserve, sweep: () => sweepBudgets(deps) };
}

describe('sweepBudgets: reservations', () => {
  it('gives back a reservation an hour old, keeps a younger one, and remembers the release', async () => {
    // Arrange
    const { budgets, add, reserve, logs, sweep } = await setup();
    const budget = await add(testBudget('acct-a', 1000));
    reserve(budget, 'req-old', 2n * USD, NOW - 60 * MINUTE);
    reserve(budget, 'req-young', 3n * USD, NOW - 59 * MINUTE);

    // Act
    const report = await sweep();

    // Assert
    expect(report).toEqual({
      accounts: 1,
      budgets: 1,
      released: 1,
      reconverted: 0,
      emailed: 0,
      failures: 0,
    });
    const ledger = await budgets.state('acct-a');
    expect(ledger.reservations.map((r) => r.requestId)).toEqual(['req-young']);
    expect(ledger.committed.get(`${budget.budgetId}@2026-12`)).toBe(3n * USD);
    expect([...ledger.released]).toEqual([['req-old', NOW]]);
    expect(logs).toContainEqual({
      level: 'warn',
      message: 'budget reservation released unsettled',
      fields: { accountId: 'acct-a', requestId: 'req-old', reservedAtMs: NOW - 60 * MINUTE },
    });
  });
});

describe('sweepBudgets: emails', () => {
  it('emails once at 90% of the limit, and not at 89.9%', async () => {
    // Arrange: $9.00 of a $10.00 budget; another at $8.99 of $10.00
    const { mailer, add, spend, sweep } = await setup();
    const warned = await add(testBudget('acct-a', 1000, { name: 'Search' }));
    const below = await add(testBudget('acct-a', 1000, { name: 'Chat' }));
    await spend(warned, 'req-1', 9n * USD);
    await spend(below, 'req-2', 899n * (USD / 100n));

    // Act
    const first = await sweep();
    const second = await sweep();

    // Assert
    expect([first.emailed, second.emailed]).toEqual([1, 0]);
    expect(mailer.sent).toHaveLength(1);
    const [email] = mailer.sent;
    expect(email?.to).toBe('acct-a@example.com');
    expect(email?.subject).toBe('[Metrion] Budget "Search" reached 90% of its limit');
    expect(email?.text).toBe(
      [
        'Your budget has used 90% of its limit this month.',
        '',
        'Budget: Search (all requests, block)',
        'Spent: USD 9.00',
        'Reserved by requests in flight: USD 0.00',
        'Limit: USD 10.00 per month',
        'Refused this period: 0',
        'Resets: 2027-01-01 00:00 UTC',
        '',
        'Open Budgets: https://app.example/budgets',
        '',
        'Each level emails once per period. Manage your budgets in Metrion under Budgets.',
      ].join('\n'),
    );
    expect(email?.html).toContain('<h2>Budget &#34;Search&#34; reached 90% of its limit</h2>');
    expect(email?.html).toContain('<tr><th align="left">Spent</th><td>USD 9.00</td></tr>');
    expect(email?.html).toContain('<a href="https://app.example/budgets">Open Budgets</a>');
  });

  it('emails the limit once when reached, and never the 90% one after it', async () => {
    // Arrange: a notify budget at exactly its $10.00 limit
    const { mailer, add, spend, sweep } = await setup();
    const budget = await add(testBudget('acct-a', 1000, { name: 'Docs', action: 'notify' }));
    await spend(budget, 'req-1', 10n * USD);

    // Act
    await sweep();
    await sweep();

    // Assert
    expect(mailer.sent.map((email) => email.subject)).toEqual([
      '[Metrion] Budget "Docs" reached its limit',
    ]);
    expect(mailer.sent[0]?.text).toContain(
      'Your budget reached its limit this period (it only notifies: requests still go through).',
    );
  });

  it('emails a block budget as reached at its first refusal, below its limit', async () => {
    // Arrange: $1.00 spent of $10.00, one request refused
    const { budgets, mailer, add, spend, sweep } = await setup();
    const budget = await add(testBudget('acct-a', 1000, { name: 'Search' }));
    await spend(budget, 'req-1', USD);
    budgets.block('acct-a', { budgetId: budget.budgetId, period: '2026-12' });

    // Act
    await sweep();

    // Assert
    expect(mailer.sent.map((email) => email.subject)).toEqual([
      '[Metrion] Budget "Search" reached its limit: requests are being refused',
    ]);
    expect(mailer.sent[0]?.text).toContain('Refused this period: 1');
    expect(mailer.sent[0]?.text).toContain(
      'Metrion refuses those that could cross it (HTTP 402, budget_exceeded) until it resets.',
    );
  });

  it('leaves a failed email unsent for the next sweep, and logs it', async () => {
    // Arrange
    const { mailer, logs, add, spend, sweep } = await setup();
    const budget = await add(testBudget('acct-a', 1000, { name: 'Search' }));
    await spend(budget, 'req-1', 10n * USD);
    mailer.failNext();

    // Act
    const failed = await sweep();
    const retried = await sweep();

    // Assert
    expect([failed.emailed, retried.emailed]).toEqual([0, 1]);
    expect(mailer.sent).toHaveLength(1);
    expect(logs).toContainEqual({
      level: 'warn',
      message: 'budget email failed; the next sweep retries',
      fields: { accountId: 'acct-a', budgetId: budget.budgetId, level: 'reached', error: 'Error' },
    });
  });

  it('sends nothing for an account without an email, and claims nothing it cannot send', async () => {
    // Arrange: budgets of an account that no longer exists
    const { budgets, mailer, add, spend, sweep } = await setup([]);
    const budget = await add(testBudget('acct-gone', 1000));
    await spend(budget, 'req-1', 10n * USD);

    // Act
    const report = await sweep();

    // Assert: the level is still free to claim at once
    expect(report.emailed).toBe(0);
    expect(mailer.sent).toEqual([]);
    const claim = { period: '2026-12', nowMs: NOW, leaseMs: MINUTE };
    expect(await budgets.claimLevel('acct-gone', budget.budgetId, 'reached', claim)).toBe(true);
  });
});

describe('sweepBudgets: accounts and rates', () => {
  it('converts a EUR limit again at a newer rate and leaves USD limits alone', async () => {
    // Arrange: EUR 100.00 converted at the fallback rate; the newer quote is 1.25 USD per EUR
    const { budgets, add, sweep } = await setup();
    const eur = await add(testBudget('acct-a', 10_000, { currency: 'EUR' }));
    const usd = await add(testBudget('acct-a', 10_000));

    // Act
    const report = await sweep();

    // Assert: EUR 100.00 is USD 125.00
    expect(report.reconverted).toBe(1);
    expect((await budgets.get('acct-a', eur.budgetId))?.conversion).toEqual({
      limitPicoUsd: 125n * USD,
      fx: QUOTE,
    });
    expect((await budgets.get('acct-a', usd.budgetId))?.conversion).toEqual(usd.conversion);
    const again = await sweep();
    expect(again.reconverted).toBe(0);
  });

  it('sweeps every account once across pages, and one failing account fails alone', async () => {
    // Arrange: 70 budgets each for two accounts (past one page of 100); acct-b's ledger fails
    const { budgets, logs, add, spend, mailer, sweep } = await setup(['acct-a', 'acct-b']);
    for (let index = 0; index < 70; index += 1) {
      await add(testBudget('acct-a', 1000, { name: `A${index}` }));
      await add(testBudget('acct-b', 1000, { name: `B${index}` }));
    }
    const reached = await add(testBudget('acct-a', 1000, { name: 'Full' }));
    await spend(reached, 'req-1', 10n * USD);
    const state = budgets.state.bind(budgets);
    budgets.state = async (accountId: string) => {
      if (accountId === 'acct-b') throw new TypeError('ledger unavailable');
      return state(accountId);
    };

    // Act
    const report = await sweep();

    // Assert
    expect(report).toMatchObject({ accounts: 2, budgets: 141, emailed: 1, failures: 1 });
    expect(mailer.sent.map((email) => email.subject)).toEqual([
      '[Metrion] Budget "Full" reached its limit: requests are being refused',
    ]);
    expect(logs).toContainEqual({
      level: 'error',
      message: 'budget sweep failed for an account; the next run retries',
      fields: { accountId: 'acct-b', error: 'TypeError' },
    });
  });
});

describe('sweepBudgets: edge cases', () => {
  it('reports nothing swept when no budget is active', async () => {
    const { sweep } = await setup();

    expect(await sweep()).toEqual({
      accounts: 0,
      budgets: 0,
      released: 0,
      reconverted: 0,
      emailed: 0,
      failures: 0,
    });
  });

  it('drops an old period once the release freed it from its last reservation', async () => {
    // Arrange: a reservation of October, long past the horizon
    const { budgets, add, sweep } = await setup();
    const budget = await add(testBudget('acct-a', 1000));
    budgets.reserve('acct-a', {
      kind: 'reserve',
      viewVersion: undefined,
      requestId: 'req-october',
      reservedPicoUsd: USD,
      charges: [{ budgetId: budget.budgetId, period: '2026-10', ceilingPicoUsd: 100n * USD }],
      reservedAtMs: Date.parse('2026-10-31T23:00:00.000Z'),
    });

    // Act
    await sweep();

    // Assert
    const ledger = await budgets.state('acct-a');
    expect([...ledger.committed.keys()]).toEqual([]);
  });

  it('does not email a notify budget for refusals it tallied while it blocked', async () => {
    // Arrange: switched from block to notify after one refusal, $1.00 of $10.00 spent
    const { budgets, mailer, add, spend, sweep } = await setup();
    const budget = await add(testBudget('acct-a', 1000, { action: 'notify' }));
    await spend(budget, 'req-1', USD);
    budgets.block('acct-a', { budgetId: budget.budgetId, period: '2026-12' });

    // Act
    await sweep();

    // Assert
    expect(mailer.sent).toEqual([]);
  });

  it('sends nothing for a level another sweep has claimed', async () => {
    const { budgets, mailer, add, spend, sweep } = await setup();
    const budget = await add(testBudget('acct-a', 1000));
    await spend(budget, 'req-1', 10n * USD);
    const claim = { period: '2026-12', nowMs: NOW, leaseMs: 5 * MINUTE };
    expect(await budgets.claimLevel('acct-a', budget.budgetId, 'reached', claim)).toBe(true);

    const report = await sweep();

    expect(report.emailed).toBe(0);
    expect(mailer.sent).toEqual([]);
  });

  it('sends no 90% email after the limit email, even once the limit is raised', async () => {
    // Arrange: the limit email at $10.00 of $10.00, then the limit raised to $10.50 (95%)
    const { budgets, mailer, add, spend, sweep } = await setup();
    const budget = await add(testBudget('acct-a', 1000, { name: 'Search' }));
    await spend(budget, 'req-1', 10n * USD);
    await sweep();
    await budgets.update('acct-a', budget.budgetId, {
      limitCents: 1050,
      conversion: { ...budget.conversion, limitPicoUsd: (21n * USD) / 2n },
    });

    // Act
    await sweep();

    // Assert
    expect(mailer.sent.map((email) => email.subject)).toEqual([
      '[Metrion] Budget "Search" reached its limit: requests are being refused',
    ]);
  });

  it('logs a mail failure that is not an Error as unknown, and retries it', async () => {
    const { mailer, logs, add, spend, sweep } = await setup();
    const budget = await add(testBudget('acct-a', 1000));
    await spend(budget, 'req-1', 10n * USD);
    const send = mailer.send.bind(mailer);
    mailer.send = async () => {
      throw 'smtp down';
    };

    await sweep();
    mailer.send = send;
    await sweep();

    expect(mailer.sent).toHaveLength(1);
    expect(logs).toContainEqual({
      level: 'warn',
      message: 'budget email failed; the next sweep retries',
      fields: {
        accountId: 'acct-a',
        budgetId: budget.budgetId,
        level: 'reached',
        error: 'unknown',
      },
    });
  });

  it('logs a failure that is not an Error as unknown', async () => {
    const { budgets, logs, add, sweep } = await setup();
    await add(testBudget('acct-a', 1000));
    budgets.state = async () => {
      throw 'ledger unavailable';
    };

    const report = await sweep();

    expect(report.failures).toBe(1);
    expect(logs).toContainEqual({
      level: 'error',
      message: 'budget sweep failed for an account; the next run retries',
      fields: { accountId: 'acct-a', error: 'unknown' },
    });
  });
});

describe('staleEntries', () => {
  const ledger = (entries: Partial<LedgerState>): LedgerState => ({
    committed: new Map(),
    blocked: new Map(),
    reservations: [],
    released: new Map(),
    ...entries,
  });

  it('drops periods before the previous one and release marks a day old', () => {
    const stale = staleEntries(
      ledger({
        committed: new Map([
          ['bud_m@2026-10', 1n],
          ['bud_m@2026-11', 1n],
          ['bud_m@2026-12', 1n],
          ['bud_d@2026-12-08', 1n],
          ['bud_d@2026-12-09', 1n],
        ]),
        blocked: new Map([
          ['bud_x@2026-09', 2],
          ['bud_x@not-a-period', 1],
        ]),
        released: new Map([
          ['req-day-old', NOW - 24 * 60 * MINUTE],
          ['req-recent', NOW - 24 * 60 * MINUTE + 1],
        ]),
      }),
      NOW,
    );

    expect(stale).toEqual({
      charges: [
        { budgetId: 'bud_m', period: '2026-10' },
        { budgetId: 'bud_d', period: '2026-12-08' },
        { budgetId: 'bud_x', period: '2026-09' },
      ],
      released: ['req-day-old'],
    });
  });

  it('keeps an old period that an open reservation still names', () => {
    const stale = staleEntries(
      ledger({
        committed: new Map([['bud_m@2026-10', 1n]]),
        reservations: [
          {
            requestId: 'req-1',
            reservedAtMs: NOW,
            reservedPicoUsd: 1n,
            charges: [{ budgetId: 'bud_m', period: '2026-10' }],
          },
        ],
      }),
      NOW,
    );

    expect(stale.charges).toEqual([]);
  });
});
