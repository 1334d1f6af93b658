import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Account } from '#core/accounts/account.ts';
import type { AlertRule } from '#core/alerts/alert-rule.ts';
import {
  type EvaluateAlertsDeps,
  type EvaluateAlertsOptions,
  evaluateAlerts,
} from '#core/alerts/evaluate-alerts.ts';
import { exactUsage } from '#core/alerts/exact-usage.ts';
import { scopedUsage } from '#core/alerts/scoped-usage.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';
import { FakeMailer } from '../../../fakes/fake-mailer.ts';
import { FixedRandom } from '../../../fakes/fixed-random.ts';
import { InMemoryAlertRuleStore } from '../../../fakes/in-memory-alert-rule-store.ts';
import { InMemoryRollupStore } from '../../../fakes/in-memory-rollup-store.ts';
import { InMemoryUsageStore } from '../../../fakes/in-memory-usage-store.ts';
import { inMemoryDeliveryDeps } from '../../../fixtures/alert-delivery.ts';
import { type CapturedLog, capturingLogger } from '../../../fixtures/capturing-logger.ts';
import { addLive } from '../../../fixtures/live-rollups.ts';
import { usageRecord } from '../../../fixtures/usage-record.ts';

const NOW_MS = Date.parse('2026-03-10T12:30:00.000Z');
const RETENTION = { expiresAtEpochSeconds: Math.floor(NOW_MS / 1000) + 365 * 86_400 };
const ACCOUNTS = ['acct-1', 'acct-2', 'acct-3', 'acct-4', 'acct-5'];

let clock: FakeClock;
let rules: InMemoryAlertRuleStore;
let mailer: FakeMailer;
let logs: CapturedLog[];
let usage: InMemoryUsageStore;
let rollups: InMemoryRollupStore;
/** Runs on every account read (a slow or failing account store). */
let onGetAccount: (accountId: string) => void;
let deps: EvaluateAlertsDeps;

/** A rule that fires at the first request of the last 2 hours. */
const volumeRule = (accountId: string, ruleId = 'rule_volume'): AlertRule => ({
  accountId,
  ruleId,
  name: `Traffic ${ruleId}`,
  type: 'request_volume',
  threshold: 1,
  paused: false,
  createdAt: '2026-03-01T00:00:00.000Z',
  lastFired: {},
  state: 'ok',
});

const account = (accountId: string): Account => ({
  accountId,
  email: `${accountId}@example.com`,
  displayName: accountId,
  currency: 'USD',
  plan: 'pro',
  createdAt: '2026-01-01T00:00:00.000Z',
});

/** The accounts emailed so far, in order. */
const emailed = () => mailer.sent.map((message) => message.to.replace('@example.com', ''));
const run = (options?: EvaluateAlertsOptions) => evaluateAlerts(deps, options);

beforeEach(async () => {
  clock = new FakeClock({ startMs: NOW_MS });
  rules = new InMemoryAlertRuleStore();
  mailer = new FakeMailer();
  logs = [];
  onGetAccount = () => undefined;
  usage = new InMemoryUsageStore({ clock });
  rollups = new InMemoryRollupStore({ usage, clock });
  const random = new FixedRandom({ seed: 'evaluate-alerts-sweep' });
  deps = {
    ...inMemoryDeliveryDeps({ clock, random, mailer }),
    logger: capturingLogger(logs),
    sweep: rules,
    firing: rules,
    accounts: {
      getAccount: async (id) => {
        onGetAccount(id);
        return ACCOUNTS.includes(id) ? account(id) : undefined;
      },
    },
    usage: scopedUsage(rollups),
    exactUsage: exactUsage(rollups),
    fxRates: { put: async () => undefined, latest: async () => undefined },
    random,
    dashboardUrl: 'https://app.example.com',
  };
  for (const accountId of ACCOUNTS) {
    const record = usageRecord({ accountId, at: '2026-03-10T12:00:00.000Z' });
    await usage.append(record, RETENTION);
    await addLive(rollups, record, RETENTION);
    await rules.create(volumeRule(accountId), 50);
  }
});

describe('evaluateAlerts: bounded runs', () => {
  it('stops at maxRules, even inside a page, and the next run continues from there', async () => {
    // Act: pages of 2, at most 3 rules per run.
    const first = await run({ pageSize: 2, maxRules: 3 });

    // Assert: the first three accounts, then the last two; the cursor cleared at the end.
    expect(first).toEqual({
      rules: 3,
      accounts: 3,
      notificationsSent: 3,
      failures: 0,
      sendFailures: 0,
      truncated: true,
    });
    expect(emailed()).toEqual(['acct-1', 'acct-2', 'acct-3']);
    expect(await rules.loadSweepCursor()).toBeDefined();
    const second = await run({ pageSize: 2, maxRules: 3 });
    expect(second).toMatchObject({ rules: 2, accounts: 2, notificationsSent: 2, truncated: false });
    expect(emailed()).toEqual(['acct-1', 'acct-2', 'acct-3', 'acct-4', 'acct-5']);
    expect(await rules.loadSweepCursor()).toBeUndefined();
  });

  it('starts no page once the time budget is spent, up to its last millisecond', async () => {
    // Arrange: every account read takes 500 ms of the 1 s budget.
    onGetAccount = () => clock.advance(500);

    // Act: after one page 500 ms are spent, after two exactly the budget.
    const first = await run({ pageSize: 1, budgetMs: 1000 });

    // Assert
    expect(first).toMatchObject({ rules: 2, accounts: 2, truncated: true });
    expect(emailed()).toEqual(['acct-1', 'acct-2']);
    expect(await run({ pageSize: 1, budgetMs: 1000 })).toMatchObject({ rules: 2, truncated: true });
    expect(await run({ pageSize: 1, budgetMs: 1000 })).toMatchObject({
      rules: 1,
      truncated: false,
    });
    expect(emailed()).toHaveLength(5);
  });

  it('runs every rule by default: pages of 100 up to 2000 rules', async () => {
    // Arrange: 5 more rules on one account (one request fires them all).
    for (let index = 0; index < 5; index += 1) {
      await rules.create(volumeRule('acct-1', `rule_extra_${index}`), 50);
    }
    const listed = vi.spyOn(rules, 'listActive');

    // Act
    const report = await run();

    // Assert: one page of 100, all 10 rules of 5 accounts, each rule emailed.
    expect(listed.mock.calls).toEqual([[{ limit: 100 }]]);
    expect(report).toEqual({
      rules: 10,
      accounts: 5,
      notificationsSent: 10,
      failures: 0,
      sendFailures: 0,
      truncated: false,
    });
  });
});

describe('evaluateAlerts: one failure does not stop the others', () => {
  it('counts and logs an account that could not be read, and evaluates the rest', async () => {
    // Arrange
    onGetAccount = (id) => {
      if (id === 'acct-2') throw new TypeError('account table throttled');
    };

    // Act
    const report = await run();

    // Assert
    expect(report).toMatchObject({ rules: 5, accounts: 5, failures: 1, notificationsSent: 4 });
    expect(emailed()).toEqual(['acct-1', 'acct-3', 'acct-4', 'acct-5']);
    expect(logs.filter((line) => line.level === 'error')).toEqual([
      {
        level: 'error',
        message: 'alert evaluation failed for an account',
        fields: { accountId: 'acct-2', error: 'TypeError: account table throttled' },
      },
    ]);
  });

  it('counts and logs a rule that failed, and evaluates the account’s other rules', async () => {
    // Arrange: a second rule on acct-1, whose usage read fails with a non-Error.
    await rules.create(volumeRule('acct-1', 'rule_broken'), 50);
    const read = deps.usage.read.bind(deps.usage);
    deps = {
      ...deps,
      usage: {
        read: (accountId, rule, ...rest) =>
          'ruleId' in rule && rule.ruleId === 'rule_broken'
            ? Promise.reject('timeout')
            : read(accountId, rule, ...rest),
      },
    };

    // Act
    const report = await run();

    // Assert
    expect(report).toMatchObject({ rules: 6, accounts: 5, failures: 1, notificationsSent: 5 });
    expect(logs.filter((line) => line.level === 'error')).toEqual([
      {
        level: 'error',
        message: 'alert rule evaluation failed',
        fields: { accountId: 'acct-1', ruleId: 'rule_broken', error: 'string' },
      },
    ]);
    expect((await rules.get('acct-1', 'rule_volume'))?.lastFired.alert).toBeDefined();
  });

  it('counts a delivery given up at its first attempt, and stores no address for it', async () => {
    // Arrange: acct-1's rule also notifies a channel deleted since.
    await rules.update('acct-1', 'rule_volume', { channels: ['email', 'ch_deleted'] });

    // Act
    const report = await run({ pageSize: 1, maxRules: 1 });

    // Assert
    expect(report).toMatchObject({ notificationsSent: 1, sendFailures: 1, failures: 0 });
    const stored = await deps.deliveries.listForChannel('acct-1', 'ch_deleted', 10);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ status: 'failed', attempts: 1 });
    expect(stored[0]?.to).toBeUndefined();
  });

  it('logs each level it fires with the channels notified', async () => {
    await run({ pageSize: 1, maxRules: 1 });
    expect(logs.filter((line) => line.message === 'alert level fired')).toEqual([
      {
        level: 'info',
        message: 'alert level fired',
        fields: { accountId: 'acct-1', ruleId: 'rule_volume', alertLevel: 'alert', channels: 1 },
      },
    ]);
  });
});
