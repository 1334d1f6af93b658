import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAlertFiringStore } from '#adapters/dynamodb/dynamo-alert-firing-store.ts';
import { DynamoAlertRuleStore } from '#adapters/dynamodb/dynamo-alert-rule-store.ts';
import { DynamoAlertSweepStore } from '#adapters/dynamodb/dynamo-alert-sweep-store.ts';
import { DynamoFxRateStore } from '#adapters/dynamodb/dynamo-fx-rate-store.ts';
import { DynamoRollupStore } from '#adapters/dynamodb/dynamo-rollup-store.ts';
import type { AlertRule } from '#core/alerts/alert-rule.ts';
import {
  type EvaluateAlertsDeps,
  evaluateAlerts,
  LEVEL_COOLDOWN_MS,
} from '#core/alerts/evaluate-alerts.ts';
import { FakeClock } from '../../fakes/fake-clock.ts';
import { FakeMailer } from '../../fakes/fake-mailer.ts';
import { FixedRandom } from '../../fakes/fixed-random.ts';
import { testAccount } from '../../fixtures/account.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../../fixtures/dynalite.ts';
import { addLive } from '../../fixtures/live-rollups.ts';
import { SILENT_LOGGER } from '../../fixtures/silent-logger.ts';
import { usageRecord } from '../../fixtures/usage-record.ts';

const START_MS = Date.parse('2026-03-10T12:30:00.000Z');
const ACCOUNTS = ['acct-race-a', 'acct-race-b'];
const RULES_PER_ACCOUNT = 3;

let fixture: DynaliteFixture;
let clock: FakeClock;
/** One inbox both evaluators send to; each send takes a while, so the runs overlap. */
let mailer: FakeMailer;

const proAccount = (id: string) =>
  testAccount(id, { plan: 'pro', createdAt: '2026-01-01T00:00:00.000Z' });

/** An evaluator instance of its own (store objects and claim tokens) over the shared tables. */
function evaluator(name: string): EvaluateAlertsDeps {
  const client = fixture.documentClient;
  const accounts = { client, tableName: fixture.tableNames.accounts };
  return {
    sweep: new DynamoAlertSweepStore(accounts),
    firing: new DynamoAlertFiringStore(accounts),
    accounts: { getAccount: async (id) => (ACCOUNTS.includes(id) ? proAccount(id) : undefined) },
    rollups: new DynamoRollupStore({ client, tableName: fixture.tableNames.usage, clock }),
    fxRates: new DynamoFxRateStore({ client, tableName: fixture.tableNames.fxRates }),
    mailer,
    clock,
    random: new FixedRandom({ seed: name }),
    logger: SILENT_LOGGER,
    dashboardUrl: 'https://app.example.com',
  };
}

/** Emails per `<to> <subject>`: one entry per rule and level when nothing was sent twice. */
function countsBySubject(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const message of mailer.sent) {
    const key = `${message.to} ${message.subject}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

beforeAll(async () => {
  fixture = await startDynaliteFixture();
  clock = new FakeClock({ startMs: START_MS });
  mailer = new FakeMailer({ delayMs: 25 });
  const store = new DynamoAlertRuleStore({
    client: fixture.documentClient,
    tableName: fixture.tableNames.accounts,
  });
  const rollups = new DynamoRollupStore({
    client: fixture.documentClient,
    tableName: fixture.tableNames.usage,
    clock,
  });
  for (const accountId of ACCOUNTS) {
    // 2 USD spent this month: every budget below (1, 1.5 and 2 USD) reaches both levels at
    // once, so each rule emails one Alert.
    await addLive(
      rollups,
      usageRecord({ accountId, at: '2026-03-10T09:00:00.000Z', costPicoUsd: 2_000_000_000_000n }),
      { expiresAtEpochSeconds: Math.floor(START_MS / 1000) + 365 * 86_400 },
    );
    for (let i = 0; i < RULES_PER_ACCOUNT; i += 1) {
      const rule: AlertRule = {
        accountId,
        ruleId: `rule_${i}`,
        name: `Budget ${i}`,
        type: 'budget',
        threshold: 1 + i / 2,
        period: { kind: 'month' },
        paused: false,
        createdAt: `2026-03-01T00:00:0${i}.000Z`,
        lastFired: {},
        state: 'ok',
      };
      expect(await store.create(rule, 50)).toBe(true);
    }
  }
});
afterAll(async () => {
  await fixture?.close();
});

describe('two alert evaluators racing on the same tables', () => {
  /** One Alert per rule: each crossed Warning and Alert in one step. */
  const levels = ACCOUNTS.length * RULES_PER_ACCOUNT;

  it('send exactly one email per rule and level between them', async () => {
    // Act: both runs at once, several times over (each pair overlapping in time).
    const reports = await Promise.all([
      evaluateAlerts(evaluator('a')),
      evaluateAlerts(evaluator('b')),
    ]);
    for (let round = 0; round < 3; round += 1) {
      clock.advance(60_000);
      await Promise.all([evaluateAlerts(evaluator('a')), evaluateAlerts(evaluator('b'))]);
    }

    // Assert: every (rule, level) once, split between the evaluators however the race went.
    expect(reports.map((r) => r.failures)).toEqual([0, 0]);
    expect(reports.reduce((sum, r) => sum + r.emailsSent, 0)).toBe(levels);
    const counts = countsBySubject();
    expect(counts.size).toBe(levels);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    expect(mailer.sent.every((message) => message.subject.includes('Alert:'))).toBe(true);
  });

  it('send each level exactly once more when the 24 h cooldown is over', async () => {
    clock.set(START_MS + LEVEL_COOLDOWN_MS);
    const reports = await Promise.all([
      evaluateAlerts(evaluator('c')),
      evaluateAlerts(evaluator('d')),
      evaluateAlerts(evaluator('e')),
    ]);
    expect(reports.reduce((sum, r) => sum + r.emailsSent, 0)).toBe(levels);
    expect(mailer.sent).toHaveLength(2 * levels);
    expect([...countsBySubject().values()].every((count) => count === 2)).toBe(true);
  });
});
