import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Account } from '#core/accounts/account.ts';
import type { AlertRule } from '#core/alerts/alert-rule.ts';
import { createAlertsService } from '#core/alerts/alerts-service.ts';
import { DELIVERY_LEASE_MS } from '#core/alerts/channels/alert-delivery.ts';
import { deliverDue } from '#core/alerts/channels/deliver.ts';
import {
  CLAIM_LEASE_MS,
  type EvaluateAlertsDeps,
  evaluateAlerts,
  LEVEL_COOLDOWN_MS,
} from '#core/alerts/evaluate-alerts.ts';
import { exactUsage } from '#core/alerts/exact-usage.ts';
import { scopedUsage } from '#core/alerts/scoped-usage.ts';
import type { BillingState } from '#core/billing/billing-state.ts';
import { PlanRequiredError } from '#core/errors.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';
import { FakeMailer } from '../../../fakes/fake-mailer.ts';
import { FixedRandom } from '../../../fakes/fixed-random.ts';
import { InMemoryAlertRuleStore } from '../../../fakes/in-memory-alert-rule-store.ts';
import { InMemoryRollupStore } from '../../../fakes/in-memory-rollup-store.ts';
import { InMemoryUsageStore } from '../../../fakes/in-memory-usage-store.ts';
import { inMemoryDeliveryDeps } from '../../../fixtures/alert-delivery.ts';
import { addLive } from '../../../fixtures/live-rollups.ts';
import { usageRecord } from '../../../fixtures/usage-record.ts';

const START_MS = Date.parse('2026-03-10T12:30:00.000Z');
const ACCOUNT_ID = 'acct-alerts';
const TWO_USD_PICO = 2_000_000_000_000n;

let clock: FakeClock;
let rules: InMemoryAlertRuleStore;
let mailer: FakeMailer;
let account: Account;
let deps: EvaluateAlertsDeps & ReturnType<typeof inMemoryDeliveryDeps>;
let rollupStore: InMemoryRollupStore;
let usage: InMemoryUsageStore;

/** A 1 USD monthly budget; the account has spent 2 USD, so both levels are reached at once. */
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

/** The $2 the account spent this month, in one request. */
const spentRecord = usageRecord({
  accountId: ACCOUNT_ID,
  at: '2026-03-10T09:00:00.000Z',
  costPicoUsd: TWO_USD_PICO,
});
const RETENTION = { expiresAtEpochSeconds: Math.floor(START_MS / 1000) + 365 * 86_400 };

/** A request as the proxy stores it (the raw record) and the aggregator counts it (live). */
async function store(record: UsageRecord): Promise<void> {
  await usage.append(record, RETENTION);
  await addLive(rollupStore, record, RETENTION);
}

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
  usage = new InMemoryUsageStore({ clock });
  const rollups = new InMemoryRollupStore({ usage, clock });
  rollupStore = rollups;
  await store(spentRecord);
  const random = new FixedRandom({ seed: 'evaluate-alerts' });
  deps = {
    ...inMemoryDeliveryDeps({ clock, random, mailer }),
    sweep: rules,
    firing: rules,
    accounts: {
      getAccount: async (id) => (id === ACCOUNT_ID ? structuredClone(account) : undefined),
    },
    usage: scopedUsage(rollups),
    exactUsage: exactUsage(rollups),
    fxRates: { put: async () => undefined, latest: async () => undefined },
    random,
    dashboardUrl: 'https://app.example.com',
  };
  await rules.create(budget, 50);
});

describe('evaluateAlerts: one email per crossing, each level once per 24 h', () => {
  it('emails one Alert when 90% and 100% are crossed in one step, then not again for 24 h', async () => {
    // Arrange + Act: the first run finds $2 spent of a $1 budget (200%).
    const first = await run();

    // Assert: one email, the Alert; Warning is not sent and not recorded.
    expect(first).toMatchObject({ notificationsSent: 1, sendFailures: 0, failures: 0 });
    expect(subjects()).toEqual(['[Metrion] Alert: Monthly budget reached its threshold']);
    const firedAt = new Date(START_MS).toISOString();
    expect(await lastFired()).toEqual({ alert: firedAt });
    expect((await rules.get(ACCOUNT_ID, budget.ruleId))?.state).toBe('alert');

    // Still over budget, but inside the cooldown: nothing, up to the last millisecond.
    clock.advance(60 * 60_000);
    expect((await run()).notificationsSent).toBe(0);
    clock.set(START_MS + LEVEL_COOLDOWN_MS - 1);
    expect((await run()).notificationsSent).toBe(0);

    // 24 h after the first email: the Alert again, once.
    clock.set(START_MS + LEVEL_COOLDOWN_MS);
    expect((await run()).notificationsSent).toBe(1);
    expect((await run()).notificationsSent).toBe(0);
    expect(subjects()).toHaveLength(2);
    expect(subjects()[1]).toMatch(/Alert:/);
    expect(await lastFired()).toEqual({
      alert: new Date(START_MS + LEVEL_COOLDOWN_MS).toISOString(),
    });
  });

  it('emails a Warning at 90%, then the Alert when spending crosses 100% within 24 h', async () => {
    // Arrange: a $2.10 budget, so the $2 spent is 95%.
    await rules.update(ACCOUNT_ID, budget.ruleId, { threshold: 2.1 });

    // Act + Assert: the Warning.
    expect((await run()).notificationsSent).toBe(1);
    expect(subjects()[0]).toBe('[Metrion] Warning: Monthly budget reached 90% of its threshold');

    // Two hours later the budget is lowered under the spend: the Alert, though Warning is cooling.
    clock.advance(2 * 60 * 60_000);
    await rules.update(ACCOUNT_ID, budget.ruleId, { threshold: 1.5 });
    expect((await run()).notificationsSent).toBe(1);
    expect(subjects()[1]).toMatch(/Alert:/);
    expect(await lastFired()).toEqual({
      warning: new Date(START_MS).toISOString(),
      alert: new Date(START_MS + 2 * 60 * 60_000).toISOString(),
    });
  });

  it('sends no Warning within 24 h of an Alert when the figure falls back to 90-100%', async () => {
    // Arrange: the Alert went out at 200%.
    expect((await run()).notificationsSent).toBe(1);

    // Act: the threshold is raised to $2.20, so the $2 spent is 91%.
    clock.advance(60 * 60_000);
    await rules.update(ACCOUNT_ID, budget.ruleId, { threshold: 2.2 });

    // Assert: no "reached 90%" after the Alert; it comes once the Alert's 24 h are over.
    expect((await run()).notificationsSent).toBe(0);
    clock.set(START_MS + LEVEL_COOLDOWN_MS);
    expect((await run()).notificationsSent).toBe(1);
    expect(subjects()[1]).toMatch(/Warning:/);
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

    // Act + Assert: nothing while the claim is unexpired (and no Warning in its place).
    expect((await run()).notificationsSent).toBe(0);
    clock.set(START_MS + CLAIM_LEASE_MS - 1);
    expect((await run()).notificationsSent).toBe(0);
    expect(await lastFired()).toEqual({});

    // The lease is over: the next run takes the level over and sends it once.
    clock.set(START_MS + CLAIM_LEASE_MS);
    expect((await run()).notificationsSent).toBe(1);
    expect(subjects()).toEqual(['[Metrion] Alert: Monthly budget reached its threshold']);
    expect((await lastFired())?.alert).toBe(new Date(START_MS + CLAIM_LEASE_MS).toISOString());
    expect((await run()).notificationsSent).toBe(0);
  });

  it('retries a failed email from the delivery run, never sending it twice after success', async () => {
    // Arrange: the first send (the Alert) is refused.
    mailer.failNext(1);

    // Act
    const first = await run();

    // Assert: nothing went out; the level fired (its delivery is queued for a retry).
    expect(first).toMatchObject({ notificationsSent: 0, sendFailures: 1, failures: 0 });
    expect((await lastFired())?.alert).toBe(new Date(START_MS).toISOString());
    const [queued] = deps.deliveries.all();
    expect(queued).toMatchObject({ status: 'pending', attempts: 1, channelId: 'email' });

    // Not due yet a second later; due one minute after the failed attempt: sent once.
    clock.advance(1000);
    expect(await deliverDue(deps)).toMatchObject({ attempted: 0 });
    clock.advance(59_000);
    expect(await deliverDue(deps)).toMatchObject({ attempted: 1, delivered: 1 });
    expect(subjects()).toEqual(['[Metrion] Alert: Monthly budget reached its threshold']);

    // Delivered: no later run (retry or evaluation) sends it again.
    clock.advance(60 * 60_000);
    expect(await deliverDue(deps)).toMatchObject({ attempted: 0 });
    expect((await run()).notificationsSent).toBe(0);
    expect(subjects()).toHaveLength(1);
  });
});

describe('evaluateAlerts: what a level fires on', () => {
  it('fires nothing on a batch the aggregator got twice, and fires on the spend recorded', async () => {
    // Arrange: a $3 budget, $2 spent (67%); the aggregator's batch is delivered again, so the
    // live rollups (ADDs, not yet sealed) count $4, 133% of the budget.
    await rules.update(ACCOUNT_ID, budget.ruleId, { threshold: 3 });
    await addLive(rollupStore, spentRecord, RETENTION);
    const monthSoFar = { fromMs: Date.parse('2026-03-01T00:00:00.000Z'), toMs: START_MS };
    const live = await deps.usage.read(ACCOUNT_ID, budget, 'day', monthSoFar, START_MS);
    expect(live.map((item) => item.costPicoUsd)).toEqual([4_000_000_000_000n]);

    // Act
    const report = await run();

    // Assert: no email, no firing, the rule not in alert: $2 of $3 was spent.
    expect(report).toMatchObject({ notificationsSent: 0, sendFailures: 0, failures: 0 });
    expect(subjects()).toEqual([]);
    expect(await lastFired()).toEqual({});
    expect((await rules.get(ACCOUNT_ID, budget.ruleId))?.state).toBe('ok');

    // A real request of $0.80 makes $2.80 (93%): the Warning, with the figure recorded.
    await store(
      usageRecord({
        accountId: ACCOUNT_ID,
        at: '2026-03-10T12:10:00.000Z',
        costPicoUsd: 800_000_000_000n,
      }),
    );
    expect((await run()).notificationsSent).toBe(1);
    expect(subjects()).toEqual(['[Metrion] Warning: Monthly budget reached 90% of its threshold']);
    expect(mailer.sent[0]?.text).toContain('2.80 USD');
  });
});

describe('evaluateAlerts: the stored requests', () => {
  it('are read only to confirm a level the live rollups reached', async () => {
    // Arrange: a $3 budget, $2 spent: no level.
    await rules.update(ACCOUNT_ID, budget.ruleId, { threshold: 3 });
    const rawReads = vi.spyOn(rollupStore, 'rawRecordsInHour');

    // Act + Assert: no raw read below the threshold; one to confirm at $1.
    expect((await run()).notificationsSent).toBe(0);
    expect(rawReads).not.toHaveBeenCalled();
    await rules.update(ACCOUNT_ID, budget.ruleId, { threshold: 1 });
    expect((await run()).notificationsSent).toBe(1);
    expect(rawReads).toHaveBeenCalled();
  });
});

describe('evaluateAlerts: storing the deliveries', () => {
  it('leaves the level unfired when a delivery could not be stored, for the next run', async () => {
    // Arrange
    vi.spyOn(deps.deliveries, 'enqueue').mockRejectedValueOnce(new Error('throttled'));

    // Act + Assert: nothing sent or fired; the claim is released, so the next run sends it.
    expect(await run()).toMatchObject({ notificationsSent: 0, failures: 1 });
    expect(await lastFired()).toEqual({});
    expect((await run()).notificationsSent).toBe(1);
    expect(subjects()).toEqual(['[Metrion] Alert: Monthly budget reached its threshold']);
  });

  it('emails the level after every cooldown of the week its deliveries are kept', async () => {
    for (let day = 0; day < 4; day += 1) {
      clock.set(START_MS + day * LEVEL_COOLDOWN_MS);
      expect((await run()).notificationsSent).toBe(1);
    }
    expect(subjects()).toHaveLength(4);
    expect(new Set(deps.deliveries.all().map((delivery) => delivery.deliveryId)).size).toBe(4);
  });
});

describe('evaluateAlerts: an email the mail service accepted', () => {
  const ALERT_SUBJECT = '[Metrion] Alert: Monthly budget reached its threshold';

  it('is sent once when confirming the firing failed after its delivery was stored', async () => {
    // Arrange: the firing's confirm write fails once, after the delivery was stored.
    vi.spyOn(rules, 'confirmLevel').mockRejectedValueOnce(new Error('throttled'));

    // Act: the run fails on the rule; the retry run sends the stored delivery.
    expect(await run()).toMatchObject({ notificationsSent: 0, failures: 1 });
    expect(await deliverDue(deps)).toMatchObject({ attempted: 1, delivered: 1 });

    // Assert: once the claim's lease is over the next run fires the level again, onto the
    // same delivery, which is not sent again; nor by any later run.
    clock.advance(CLAIM_LEASE_MS);
    expect((await run()).notificationsSent).toBe(0);
    expect(await lastFired()).toEqual({ alert: new Date(START_MS + CLAIM_LEASE_MS).toISOString() });
    clock.advance(60 * 60_000);
    expect(await deliverDue(deps)).toMatchObject({ attempted: 0 });
    expect((await run()).notificationsSent).toBe(0);
    expect(subjects()).toEqual([ALERT_SUBJECT]);
  });

  it('goes out twice only when recording the send failed, once its 60 s lease is over', async () => {
    // Arrange: the mail service accepts the email; recording the attempt fails.
    vi.spyOn(deps.deliveries, 'settle').mockRejectedValueOnce(new Error('throttled'));

    // Act
    expect(await run()).toMatchObject({ notificationsSent: 0, failures: 1 });
    expect(subjects()).toEqual([ALERT_SUBJECT]);

    // Assert: the attempt's lease holds the delivery to its last millisecond; then the retry
    // run sends it again, records it, and nothing sends it a third time.
    clock.advance(DELIVERY_LEASE_MS - 1);
    expect(await deliverDue(deps)).toMatchObject({ attempted: 0 });
    clock.advance(1);
    expect(await deliverDue(deps)).toMatchObject({ attempted: 1, delivered: 1 });
    expect(subjects()).toEqual([ALERT_SUBJECT, ALERT_SUBJECT]);
    clock.advance(CLAIM_LEASE_MS);
    expect(await deliverDue(deps)).toMatchObject({ attempted: 0 });
    expect((await run()).notificationsSent).toBe(0);
    expect(subjects()).toHaveLength(2);
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
    expect((await run()).notificationsSent).toBe(1);
    clock.set(PERIOD_END_MS + LEVEL_COOLDOWN_MS);
    expect((await run()).notificationsSent).toBe(0);
    expect(subjects()).toHaveLength(1);
  });

  it('answers plan_required from the Alerts API at the period end', async () => {
    const service = createAlertsService({
      ...deps,
      rules,
      testClaims: rules,
      rollups: rollupStore,
    });
    clock.set(PERIOD_END_MS - 1);
    expect((await service.list(ACCOUNT_ID)).rules).toHaveLength(1);
    clock.set(PERIOD_END_MS);
    await expect(service.list(ACCOUNT_ID)).rejects.toBeInstanceOf(PlanRequiredError);
    await expect(
      service.create(ACCOUNT_ID, { type: 'request_volume', threshold: 10 }),
    ).rejects.toBeInstanceOf(PlanRequiredError);
  });
});
