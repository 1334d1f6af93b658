import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAccountDataKeyStore } from '#adapters/dynamodb/dynamo-account-data-key-store.ts';
import { DynamoAlertChannelStore } from '#adapters/dynamodb/dynamo-alert-channel-store.ts';
import { DynamoAlertFiringStore } from '#adapters/dynamodb/dynamo-alert-firing-store.ts';
import { DynamoAlertRuleStore } from '#adapters/dynamodb/dynamo-alert-rule-store.ts';
import { DynamoAlertSweepStore } from '#adapters/dynamodb/dynamo-alert-sweep-store.ts';
import { DynamoFxRateStore } from '#adapters/dynamodb/dynamo-fx-rate-store.ts';
import { DynamoRollupStore } from '#adapters/dynamodb/dynamo-rollup-store.ts';
import { DynamoUsageStore } from '#adapters/dynamodb/dynamo-usage-store.ts';
import { LOCAL_WEBHOOK_POLICY } from '#adapters/http/url-policy.ts';
import type { AlertRule } from '#core/alerts/alert-rule.ts';
import { channelSecretContext } from '#core/alerts/channels/alert-channel.ts';
import { verifyWebhookSignature } from '#core/alerts/channels/webhook-signature.ts';
import {
  type EvaluateAlertsDeps,
  evaluateAlerts,
  LEVEL_COOLDOWN_MS,
} from '#core/alerts/evaluate-alerts.ts';
import { exactUsage } from '#core/alerts/exact-usage.ts';
import { scopedUsage } from '#core/alerts/scoped-usage.ts';
import { createSecretVault } from '#core/vault/secret-vault.ts';
import { buildAlertDeliveryDeps } from '#lambda/alert-delivery.deps.ts';
import { FakeClock } from '../../fakes/fake-clock.ts';
import { FakeMailer } from '../../fakes/fake-mailer.ts';
import { FixedRandom } from '../../fakes/fixed-random.ts';
import { InMemoryDataKeyProvider } from '../../fakes/in-memory-data-key-provider.ts';
import { testAccount } from '../../fixtures/account.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../../fixtures/dynalite.ts';
import { addLive } from '../../fixtures/live-rollups.ts';
import { SILENT_LOGGER } from '../../fixtures/silent-logger.ts';
import { usageRecord } from '../../fixtures/usage-record.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../fixtures/webhook-receiver.ts';

const START_MS = Date.parse('2026-03-10T12:30:00.000Z');
const ACCOUNTS = ['acct-race-a', 'acct-race-b'];
const RULES_PER_ACCOUNT = 3;

let fixture: DynaliteFixture;
let clock: FakeClock;
/** One inbox both evaluators send to; each send takes a while, so the runs overlap. */
let mailer: FakeMailer;
/** Every rule also notifies a webhook channel on this receiver. */
let receiver: WebhookReceiver;
const dataKeyProvider = new InMemoryDataKeyProvider();
const SECRET = 'whsec_race';
const CHANNEL_ID = 'ch_00000000000000000001';

const proAccount = (id: string) =>
  testAccount(id, { plan: 'pro', createdAt: '2026-01-01T00:00:00.000Z' });

/** An evaluator instance of its own (store objects and claim tokens) over the shared tables. */
function evaluator(name: string): EvaluateAlertsDeps {
  const client = fixture.documentClient;
  const random = new FixedRandom({ seed: name });
  const accounts = { client, tableName: fixture.tableNames.accounts };
  const rollups = new DynamoRollupStore({ client, tableName: fixture.tableNames.usage, clock });
  return {
    ...buildAlertDeliveryDeps(
      {
        documentClient: client,
        accountsTable: fixture.tableNames.accounts,
        mail: { mailer },
        dataKeyProvider,
        webhookPolicy: LOCAL_WEBHOOK_POLICY,
        logger: SILENT_LOGGER,
      },
      { clock, random },
    ),
    sweep: new DynamoAlertSweepStore(accounts),
    firing: new DynamoAlertFiringStore(accounts),
    accounts: { getAccount: async (id) => (ACCOUNTS.includes(id) ? proAccount(id) : undefined) },
    usage: scopedUsage(rollups),
    exactUsage: exactUsage(rollups),
    fxRates: new DynamoFxRateStore({ client, tableName: fixture.tableNames.fxRates }),
    random,
    dashboardUrl: 'https://app.example.com',
  };
}

/**
 * Webhook deliveries per `<delivery id>`; those from `verifyFrom` on are checked against the
 * channel's secret now (the earlier ones were checked when they arrived).
 */
function webhookCounts(verifyFrom = 0): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [index, request] of receiver.received.entries()) {
    const signature = String(request.headers['x-metrion-signature']);
    const nowSeconds = clock.nowMs() / 1000;
    if (index >= verifyFrom) {
      expect(verifyWebhookSignature(SECRET, signature, request.body, nowSeconds)).toBe(true);
    }
    const id = String(request.headers['x-metrion-delivery']);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
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
  const usage = new DynamoUsageStore({
    client: fixture.documentClient,
    tableName: fixture.tableNames.usage,
    clock,
  });
  receiver = await startWebhookReceiver();
  const vault = createSecretVault({
    dataKeyProvider,
    accountDataKeys: new DynamoAccountDataKeyStore({
      client: fixture.documentClient,
      tableName: fixture.tableNames.accounts,
    }),
    random: new FixedRandom(),
    clock,
  });
  const channels = new DynamoAlertChannelStore({
    client: fixture.documentClient,
    tableName: fixture.tableNames.accounts,
  });
  for (const accountId of ACCOUNTS) {
    await channels.create({
      accountId,
      channelId: CHANNEL_ID,
      kind: 'webhook',
      name: 'Receiver',
      url: `${receiver.url}/hook`,
      displayUrl: `${receiver.url}/hook`,
      sealed: await vault.seal(SECRET, channelSecretContext(accountId, CHANNEL_ID)),
      createdAt: '2026-03-01T00:00:00.000Z',
    });
    // 2 USD spent this month: every budget below (1, 1.5 and 2 USD) reaches both levels at
    // once, so each rule emails one Alert.
    const spent = usageRecord({
      accountId,
      at: '2026-03-10T09:00:00.000Z',
      costPicoUsd: 2_000_000_000_000n,
    });
    const retention = { expiresAtEpochSeconds: Math.floor(START_MS / 1000) + 365 * 86_400 };
    await usage.append(spent, retention);
    await addLive(rollups, spent, retention);
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
        channels: ['email', CHANNEL_ID],
        lastFired: {},
        state: 'ok',
      };
      expect(await store.create(rule, 50)).toBe(true);
    }
  }
});
afterAll(async () => {
  await receiver?.close();
  await fixture?.close();
});

describe('two alert evaluators racing on the same tables', () => {
  /** One Alert per rule: each crossed Warning and Alert in one step. */
  const levels = ACCOUNTS.length * RULES_PER_ACCOUNT;

  it('send exactly one email and one signed webhook per rule and level between them', async () => {
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
    expect(reports.reduce((sum, r) => sum + r.notificationsSent, 0)).toBe(2 * levels);
    const counts = countsBySubject();
    expect(counts.size).toBe(levels);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    expect(mailer.sent.every((message) => message.subject.includes('Alert:'))).toBe(true);
    const webhooks = webhookCounts();
    expect(webhooks.size).toBe(levels);
    expect([...webhooks.values()].every((count) => count === 1)).toBe(true);
  });

  it('send each level exactly once more when the 24 h cooldown is over', async () => {
    clock.set(START_MS + LEVEL_COOLDOWN_MS);
    const earlier = receiver.received.length;
    const reports = await Promise.all([
      evaluateAlerts(evaluator('c')),
      evaluateAlerts(evaluator('d')),
      evaluateAlerts(evaluator('e')),
    ]);
    expect(reports.reduce((sum, r) => sum + r.notificationsSent, 0)).toBe(2 * levels);
    expect(mailer.sent).toHaveLength(2 * levels);
    expect([...countsBySubject().values()].every((count) => count === 2)).toBe(true);
    // A new firing is a new delivery id: each id still arrived once.
    const webhooks = webhookCounts(earlier);
    expect(webhooks.size).toBe(2 * levels);
    expect([...webhooks.values()].every((count) => count === 1)).toBe(true);
  });
});
