import { beforeEach, describe, expect, it } from 'vitest';
import type { Account } from '#core/accounts/account.ts';
import type { AlertRule } from '#core/alerts/alert-rule.ts';
import { createAlertsService } from '#core/alerts/alerts-service.ts';
import {
  CLAIM_LEASE_MS,
  type EvaluateAlertsDeps,
  evaluateAlerts,
  LEVEL_COOLDOWN_MS,
} from '#core/alerts/evaluate-alerts.ts';
import type { BillingState } from '#core/billing/billing-state.ts';
import { PlanRequiredError } from '#core/errors.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';
import { FakeMailer } from '../../../fakes/fake-mailer.ts';
import { FixedRandom } from '../../../fakes/fixed-random.ts';
import { InMemoryAlertRuleStore } from '../../../fakes/in-memory-alert-rule-store.ts';
import { InMemoryRollupStore } from '../../../fakes/in-memory-rollup-store.ts';
import { InMemoryUsageStore } from '../../../fakes/in-memory-usage-store.ts';
import { addLive } from '../../../fixtures/live-rollups.ts';
import { SILENT_LOGGER } from '../../../fixtures/silent-logger.ts';
import { usageRecord } from '../../../fixtures/usage-record.ts';

const START_MS = Date.parse('2026-03-10T12:30:00.000Z');
const ACCOUNT_ID = 'acct-alerts';
const TWO_USD_PICO = 2_000_000_000_000n;

let clock: FakeClock;
let rules: InMemoryAlertRuleStore;
let mailer: FakeMailer;
let account: Account;
let deps: EvaluateAlertsDeps;

/** A 1 USD monthly budget; the account has spent 2 USD, so both levels are reached. */
const budget: AlertRule = {
  accountId: ACCOUNT_ID,
  ruleId: 'rule_budget',
  name: 'Monthly budget',
  type: 'budget',
  threshold: 1,
  period: { kind: 'month' },
  paused: false,
  createdAt: '2026-03-01T00:00:00.000Z',
  lastFired: {},
  state: 'ok',
};

const subjects = () => mailer.sent.map((message) => message.subject);
const lastFired = async () => (await rules.get(ACCOUNT_ID, budget.ruleId))?.lastFired;
const run = () => evaluateAlerts(deps);

beforeEach(async () => {
  clock = new FakeClock({ startMs: START_MS });
  rules = new InMemoryAlertRuleStore();
  mailer = new FakeMailer();
  account = {
    accountId: ACCOUNT_ID,
    email: 'owner@example.com',
    displayName: 'Owner',
    currency: 'USD',
    plan: 'pro',
    createdAt: '2026-01-01T00:00:00.000Z',
  };
  const usage = new InMemoryUsageStore({ clock });
  const rollups = new InMemoryRollupStore({ usage, clock });
  await addLive(
    rollups,
    usageRecord({
      accountId: ACCOUNT_ID,
      at: '2026-03-10T09:00:00.000Z',
      costPicoUsd: TWO_USD_PICO,
    }),
    { expiresAtEpochSeconds: Math.floor(START_MS / 1000) + 365 * 86_400 },
  );
  deps = {
    rules,
    accounts: {
      getAccount: async (id) => (id === ACCOUNT_ID ? structuredClone(account) : undefined),
    },
    rollups,
    fxRates: { put: async () => undefined, latest: async () => undefined },
    mailer,
    clock,
    random: new FixedRandom({ seed: 'evaluate-alerts' }),
    logger: SILENT_LOGGER,
    dashboardUrl: 'https://app.example.com',
  };
  await rules.create(budget, 50);
});

describe('evaluateAlerts: level cooldowns', () => {
  it('emails each level once, not again within 24 h, and again once 24 h have passed', async () => {
    // Arrange + Act: the first run.
    const first = await run();

    // Assert: Warning and Alert, each once, recorded at the run's time.
    expect(first).toMatchObject({ emailsSent: 2, sendFailures: 0, failures: 0 });
    expect(subjects()).toHaveLength(2);
    const firedAt = new Date(START_MS).toISOString();
    expect(await lastFired()).toEqual({ warning: firedAt, alert: firedAt });
    expect((await rules.get(ACCOUNT_ID, budget.ruleId))?.state).toBe('alert');

    // Still over budget, but inside the cooldown: nothing, up to the last millisecond.
    clock.advance(60 * 60_000);
    expect((await run()).emailsSent).toBe(0);
    clock.set(START_MS + LEVEL_COOLDOWN_MS - 1);
    expect((await run()).emailsSent).toBe(0);

    // 24 h after the first email: both levels again, once.
    clock.set(START_MS + LEVEL_COOLDOWN_MS);
    expect((await run()).emailsSent).toBe(2);
    expect((await run()).emailsSent).toBe(0);
    expect(subjects()).toHaveLength(4);
    const refiredAt = new Date(START_MS + LEVEL_COOLDOWN_MS).toISOString();
    expect(await lastFired()).toEqual({ warning: refiredAt, alert: refiredAt });
  });

  it('holds a level claimed by an evaluator that died for the 5-minute lease, then sends it', async () => {
    // Arrange: another evaluator claimed Alert and never confirmed nor released it.
    expect(
      await rules.claimLevel(ACCOUNT_ID, budget.ruleId, 'alert', {
        nowMs: START_MS,
        cooldownMs: LEVEL_COOLDOWN_MS,
        leaseMs: CLAIM_LEASE_MS,
        token: 'dead-evaluator',
      }),
    ).toBe(true);

    // Act + Assert: Warning goes out; Alert waits while the claim is unexpired.
    expect((await run()).emailsSent).toBe(1);
    expect(subjects()[0]).toMatch(/warning/i);
    clock.set(START_MS + CLAIM_LEASE_MS - 1);
    expect((await run()).emailsSent).toBe(0);
    expect((await lastFired())?.alert).toBeUndefined();

    // The lease is over: the next run takes the level over and sends it once.
    clock.set(START_MS + CLAIM_LEASE_MS);
    expect((await run()).emailsSent).toBe(1);
    expect(subjects()[1]).not.toMatch(/warning/i);
    expect((await lastFired())?.alert).toBe(new Date(START_MS + CLAIM_LEASE_MS).toISOString());
    expect((await run()).emailsSent).toBe(0);
  });

  it('leaves a level whose send failed unfired, so the next run retries it', async () => {
    // Arrange: the first send (Warning) is refused.
    mailer.failNext(1);

    // Act
    const first = await run();

    // Assert: Alert went out, Warning did not and is not recorded as fired.
    expect(first).toMatchObject({ emailsSent: 1, sendFailures: 1, failures: 0 });
    expect(Object.keys((await lastFired()) ?? {})).toEqual(['alert']);

    // The next run (a minute later, well inside the lease it released) sends Warning only.
    clock.advance(60_000);
    expect(await run()).toMatchObject({ emailsSent: 1, sendFailures: 0 });
    expect(subjects()).toHaveLength(2);
    expect(subjects()[1]).toMatch(/warning/i);
    expect((await lastFired())?.warning).toBe(new Date(START_MS + 60_000).toISOString());
  });
});

describe('the plan gate at the end of a cancelled subscription', () => {
  const PERIOD_END_MS = START_MS + 3 * 60 * 60_000;
  const cancelled: BillingState = {
    stripeCustomerId: 'cus_1',
    subscriptions: {
      sub_1: {
        snapshot: {
          subscriptionId: 'sub_1',
          subscriptionCreatedEpochSeconds: 1_770_000_000,
          status: 'active',
          currentPeriodEndAt: new Date(PERIOD_END_MS).toISOString(),
          cancelAtPeriodEnd: true,
          mark: { createdEpochSeconds: 1_770_000_100, rank: 1, eventId: 'evt_1' },
        },
      },
    },
  };

  beforeEach(() => {
    // The stored plan stays Pro: Stripe's deleted event has not arrived.
    account = { ...account, billing: cancelled };
  });

  it('stops evaluating at the period end', async () => {
    clock.set(PERIOD_END_MS - 1);
    expect((await run()).emailsSent).toBe(2);
    clock.set(PERIOD_END_MS + LEVEL_COOLDOWN_MS);
    expect((await run()).emailsSent).toBe(0);
    expect(subjects()).toHaveLength(2);
  });

  it('answers plan_required from the Alerts API at the period end', async () => {
    const service = createAlertsService(deps);
    clock.set(PERIOD_END_MS - 1);
    expect((await service.list(ACCOUNT_ID)).rules).toHaveLength(1);
    clock.set(PERIOD_END_MS);
    await expect(service.list(ACCOUNT_ID)).rejects.toBeInstanceOf(PlanRequiredError);
    await expect(
      service.create(ACCOUNT_ID, { type: 'request_volume', threshold: 10 }),
    ).rejects.toBeInstanceOf(PlanRequiredError);
  });
});
