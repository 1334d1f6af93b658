import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type AttemptResult,
  channelSecretContext,
  EMAIL_CHANNEL_ID,
} from '#core/alerts/channels/alert-channel.ts';
import {
  type AlertDelivery,
  afterAttempt,
  DELIVERY_LEASE_MS,
  retryDelayMs,
} from '#core/alerts/channels/alert-delivery.ts';
import type { AlertNotice } from '#core/alerts/channels/alert-notice.ts';
import { attemptDelivery, deliverDue } from '#core/alerts/channels/deliver.ts';
import { slackBody, webhookBody } from '#core/alerts/channels/render-webhook.ts';
import { verifyWebhookSignature } from '#core/alerts/channels/webhook-signature.ts';
import type { WebhookClient } from '#core/ports/webhook-client.ts';
import { FakeClock } from '../../../../fakes/fake-clock.ts';
import { FakeMailer } from '../../../../fakes/fake-mailer.ts';
import { FixedRandom } from '../../../../fakes/fixed-random.ts';
import { inMemoryDeliveryDeps } from '../../../../fixtures/alert-delivery.ts';
import { type CapturedLog, capturingLogger } from '../../../../fixtures/capturing-logger.ts';

const START_MS = Date.parse('2026-11-12T10:00:00.000Z');
const ACCOUNT = 'acct-deliver';
const WEBHOOK = 'ch_webhook';
const SLACK = 'ch_slack';
const SECRET = 'whsec_deliver';
const SLACK_URL = 'https://hooks.slack.com/services/T0/B0/secret';

const NOTICE: AlertNotice = {
  ruleId: 'rule_1',
  ruleName: 'Monthly spend',
  ruleType: 'budget',
  scope: { kind: 'account' },
  scopeText: 'all requests',
  level: 'alert',
  headline: 'Alert: Monthly spend reached its threshold',
  value: '430.00 EUR',
  threshold: '400.00 EUR',
  period: { from: '2026-11-01T00:00:00.000Z', to: '2026-11-12T10:00:00.000Z', text: 'November' },
  details: [],
  dashboardUrl: 'https://app.example.com/dashboard',
  firedAt: '2026-11-12T10:00:00.000Z',
};

interface Posted {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

let clock: FakeClock;
let mailer: FakeMailer;
let posted: Posted[];
/** What the receiver answers next (then 200). */
let answers: AttemptResult[];
let logs: CapturedLog[];
let deps: ReturnType<typeof inMemoryDeliveryDeps>;

const receiver: WebhookClient = {
  refusal: async () => undefined,
  post: async (url, headers, body) => {
    posted.push({ url, headers, body });
    return answers.shift() ?? { kind: 'answered', status: 200 };
  },
};

const delivery = (channelId: string, deliveryId: string): AlertDelivery => ({
  accountId: ACCOUNT,
  channelId,
  deliveryId,
  to: channelId === EMAIL_CHANNEL_ID ? 'owner@example.com' : undefined,
  notice: NOTICE,
  createdAt: new Date(clock.nowMs()).toISOString(),
  status: 'pending',
  attempts: 0,
});
const keyOf = ({ accountId, channelId, deliveryId }: AlertDelivery) => ({
  accountId,
  channelId,
  deliveryId,
});
const stored = async (channelId: string, deliveryId: string) =>
  (await deps.deliveries.listForChannel(ACCOUNT, channelId, 10)).find(
    (found) => found.deliveryId === deliveryId,
  );

beforeEach(async () => {
  clock = new FakeClock({ startMs: START_MS });
  mailer = new FakeMailer();
  posted = [];
  answers = [];
  logs = [];
  const random = new FixedRandom({ seed: 'deliver' });
  deps = {
    ...inMemoryDeliveryDeps({ clock, random, mailer, webhooks: receiver }),
    logger: capturingLogger(logs),
  };
  for (const [channelId, kind, secret] of [
    [WEBHOOK, 'webhook', SECRET],
    [SLACK, 'slack', SLACK_URL],
  ] as const) {
    await deps.channels.create({
      accountId: ACCOUNT,
      channelId,
      kind,
      name: channelId,
      displayUrl: 'https://receiver.example.com/…',
      url: kind === 'webhook' ? 'https://receiver.example.com/hook' : undefined,
      sealed: await deps.vault.seal(secret, channelSecretContext(ACCOUNT, channelId)),
      createdAt: '2026-11-01T00:00:00.000Z',
    });
  }
});

describe('attemptDelivery: one attempt, by channel kind', () => {
  it('emails the account address and records it delivered', async () => {
    const email = delivery(EMAIL_CHANNEL_ID, 'dlv_email');
    await deps.deliveries.enqueue(email);
    // The built-in email channel is no stored channel: nothing is written to the channels.
    const channelWrites = vi.spyOn(deps.channels, 'recordLastDelivery');

    expect(await attemptDelivery(deps, keyOf(email))).toBe('delivered');

    expect(mailer.sent.map((message) => [message.to, message.subject])).toEqual([
      ['owner@example.com', '[Metrion] Alert: Monthly spend reached its threshold'],
    ]);
    expect(await stored(EMAIL_CHANNEL_ID, 'dlv_email')).toMatchObject({
      status: 'delivered',
      attempts: 1,
      lastAttemptAt: new Date(START_MS).toISOString(),
      lastResult: { kind: 'answered', status: 250 },
    });
    expect(logs).toEqual([
      {
        level: 'info',
        message: 'alert delivered',
        fields: {
          accountId: ACCOUNT,
          channelId: EMAIL_CHANNEL_ID,
          deliveryId: 'dlv_email',
          outcome: 'delivered',
          result: 'answered',
        },
      },
    ]);
    expect(channelWrites).not.toHaveBeenCalled();
  });

  it('retries an email the mail service refused, a minute later', async () => {
    const email = delivery(EMAIL_CHANNEL_ID, 'dlv_email');
    await deps.deliveries.enqueue(email);
    mailer.failNext(1);

    expect(await attemptDelivery(deps, keyOf(email))).toBe('retrying');

    expect(await stored(EMAIL_CHANNEL_ID, 'dlv_email')).toMatchObject({
      status: 'pending',
      nextAttemptAt: new Date(START_MS + 60_000).toISOString(),
      lastResult: { kind: 'failed', reason: 'network' },
    });
    expect(logs.map((line) => [line.level, line.message, line.fields?.outcome])).toEqual([
      ['warn', 'alert delivery attempt failed', 'retrying'],
    ]);
  });

  it('POSTs a webhook signed with the channel secret, with its delivery id', async () => {
    const hook = delivery(WEBHOOK, 'dlv_hook');
    await deps.deliveries.enqueue(hook);
    clock.advance(1500);

    expect(await attemptDelivery(deps, keyOf(hook))).toBe('delivered');

    const [request] = posted;
    expect(request?.url).toBe('https://receiver.example.com/hook');
    expect(request?.body).toBe(webhookBody('dlv_hook', NOTICE));
    expect(request?.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'Metrion-Alerts/1',
      'x-metrion-delivery': 'dlv_hook',
    });
    const signature = request?.headers['x-metrion-signature'] ?? '';
    expect(signature.startsWith(`t=${Math.floor((START_MS + 1500) / 1000)},`)).toBe(true);
    expect(verifyWebhookSignature(SECRET, signature, request?.body ?? '', START_MS / 1000)).toBe(
      true,
    );
    expect(
      verifyWebhookSignature('whsec_other', signature, request?.body ?? '', START_MS / 1000),
    ).toBe(false);
    expect((await deps.channels.get(ACCOUNT, WEBHOOK))?.lastDelivery).toEqual({
      at: new Date(START_MS + 1500).toISOString(),
      deliveryId: 'dlv_hook',
      outcome: 'delivered',
      result: { kind: 'answered', status: 200 },
    });
  });

  it('POSTs Slack its Block Kit message to the sealed URL', async () => {
    const slack = delivery(SLACK, 'dlv_slack');
    await deps.deliveries.enqueue(slack);

    expect(await attemptDelivery(deps, keyOf(slack))).toBe('delivered');

    expect(posted).toEqual([
      {
        url: SLACK_URL,
        headers: { 'content-type': 'application/json', 'user-agent': 'Metrion-Alerts/1' },
        body: slackBody(NOTICE),
      },
    ]);
  });

  it('gives a delivery up when its channel was deleted or the URL is refused', async () => {
    const gone = delivery('ch_deleted', 'dlv_gone');
    await deps.deliveries.enqueue(gone);
    expect(await attemptDelivery(deps, keyOf(gone))).toBe('failed');
    expect(await stored('ch_deleted', 'dlv_gone')).toMatchObject({
      status: 'failed',
      lastResult: { kind: 'refused', reason: 'The channel was deleted.' },
    });

    const hook = delivery(WEBHOOK, 'dlv_refused');
    await deps.deliveries.enqueue(hook);
    answers = [{ kind: 'refused', reason: 'private address' }];
    expect(await attemptDelivery(deps, keyOf(hook))).toBe('failed');
    expect((await deps.channels.get(ACCOUNT, WEBHOOK))?.lastDelivery?.outcome).toBe('failed');
    expect(posted).toHaveLength(1);
  });

  it('skips a delivery another sender holds, or one already delivered', async () => {
    const hook = delivery(WEBHOOK, 'dlv_hook');
    await deps.deliveries.enqueue(hook);
    await deps.deliveries.lease(keyOf(hook), {
      nowMs: START_MS,
      leaseMs: DELIVERY_LEASE_MS,
      token: 'other-sender',
    });
    expect(await attemptDelivery(deps, keyOf(hook))).toBe('skipped');
    clock.advance(DELIVERY_LEASE_MS);
    expect(await attemptDelivery(deps, keyOf(hook))).toBe('delivered');
    expect(await attemptDelivery(deps, keyOf(hook))).toBe('skipped');
    expect(posted).toHaveLength(1);
  });
});

describe('deliverDue: the retry run', () => {
  async function enqueueHooks(count: number): Promise<void> {
    for (let index = 0; index < count; index += 1) {
      await deps.deliveries.enqueue(delivery(WEBHOOK, `dlv_${String(index).padStart(2, '0')}`));
    }
  }

  it('attempts the due deliveries and counts each outcome', async () => {
    await enqueueHooks(4);
    answers = [
      { kind: 'answered', status: 200 },
      { kind: 'answered', status: 503 },
      { kind: 'refused', reason: 'private address' },
    ];

    expect(await deliverDue(deps)).toEqual({
      attempted: 4,
      delivered: 2,
      retrying: 1,
      failed: 1,
    });
    expect(await deliverDue(deps)).toEqual({ attempted: 0, delivered: 0, retrying: 0, failed: 0 });
  });

  it('attempts at most `limit` deliveries, 200 by default', async () => {
    await enqueueHooks(3);
    expect(await deliverDue(deps, { limit: 2 })).toMatchObject({ attempted: 2 });
    expect(await deliverDue(deps)).toMatchObject({ attempted: 1 });
  });

  it('starts no group of 8 once the time budget is spent', async () => {
    // Arrange: each POST takes 10 s; groups of 8 run together.
    await enqueueHooks(20);
    const slow: WebhookClient = {
      ...receiver,
      post: async (...args) => {
        clock.advance(10_000 / 8);
        return receiver.post(...args);
      },
    };
    deps = { ...deps, webhooks: slow };

    // Act + Assert: the first group takes 10 s, the budget: one group only.
    expect(await deliverDue(deps, { budgetMs: 10_000 })).toMatchObject({ attempted: 8 });
    // Default budget 40 s: the 12 left, in two groups.
    expect(await deliverDue(deps)).toMatchObject({ attempted: 12 });
  });
});

describe('afterAttempt: retries with backoff for 24 hours', () => {
  const base = { createdAt: new Date(START_MS).toISOString(), attempts: 0, notice: NOTICE };
  const failed: AttemptResult = { kind: 'failed', reason: 'timeout' };

  it('waits 1, 2, 4 … minutes, at most 2 hours', () => {
    expect([1, 2, 3, 4, 7, 8, 20].map(retryDelayMs)).toEqual([
      60_000, 120_000, 240_000, 480_000, 3_840_000, 7_200_000, 7_200_000,
    ]);
  });

  it('waits after each failed attempt by the attempts made so far', () => {
    // The third attempt failed: the fourth is due 4 minutes later.
    expect(afterAttempt({ ...base, attempts: 2 }, failed, START_MS)).toEqual({
      status: 'pending',
      nextAttemptMs: START_MS + 240_000,
    });
  });

  it('ends at a 2xx, and retries any other status', () => {
    for (const status of [200, 204, 299]) {
      expect(afterAttempt(base, { kind: 'answered', status }, START_MS)).toEqual({
        status: 'delivered',
      });
    }
    for (const status of [199, 300, 500]) {
      expect(afterAttempt(base, { kind: 'answered', status }, START_MS)).toEqual({
        status: 'pending',
        nextAttemptMs: START_MS + 60_000,
      });
    }
  });

  it('never retries a Test, and gives up when the next attempt falls after 24 h', () => {
    expect(
      afterAttempt({ ...base, notice: { ...NOTICE, level: 'test' } }, failed, START_MS),
    ).toEqual({ status: 'failed' });
    const dayEnd = START_MS + 24 * 3_600_000;
    const late = { ...base, attempts: 19 };
    expect(afterAttempt(late, failed, dayEnd - 7_200_000)).toEqual({
      status: 'pending',
      nextAttemptMs: dayEnd,
    });
    expect(afterAttempt(late, failed, dayEnd - 7_200_000 + 1)).toEqual({ status: 'failed' });
  });
});
