import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoAccountStore } from '#adapters/dynamodb/dynamo-account-store.ts';
import { API_ROUTES } from '#contracts/api-routes.ts';
import { verifyWebhookSignature } from '#core/alerts/channels/webhook-signature.ts';
import { FakeClock } from '../../fakes/fake-clock.ts';
import { FAKE_OPENAI_API_KEY } from '../../fixtures/fake-openai-server.ts';
import { readUntil } from '../../fixtures/read-until.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../fixtures/webhook-receiver.ts';
import {
  type DashboardApiStack,
  expectResponseOf,
  startDashboardApiStack,
  type TestUser,
} from '../support/dashboard-api-stack.ts';

let stack: DashboardApiStack;
let receiver: WebhookReceiver;
const clock = new FakeClock({ startMs: Date.now() });

beforeAll(async () => {
  stack = await startDashboardApiStack({ clock });
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await stack?.close();
});
beforeEach(() => {
  receiver.answer = () => ({ status: 200 });
});

async function proUser(label: string): Promise<TestUser> {
  const user = await stack.signUp(label);
  const me = await stack.api('/api/me', { as: user });
  await new DynamoAccountStore({
    client: stack.metrion.data.documentClient,
    tableName: stack.metrion.data.accountsTable,
  }).updateProfile(me.json.accountId, { plan: 'pro' });
  return user;
}

async function createWebhook(user: TestUser, path = '/hook') {
  const created = await stack.api('/api/alert-channels', {
    method: 'POST',
    as: user,
    body: { kind: 'webhook', name: 'Ops receiver', url: `${receiver.url}${path}` },
  });
  expect(created.status, created.text).toBe(201);
  expect(API_ROUTES.createAlertChannel.response.parse(created.json)).toEqual(created.json);
  return created.json as { channel: { id: string }; secret: string };
}

describe('Alert channels API', () => {
  it('shows a webhook secret once, lists email first, and never shows the secret again', async () => {
    const alice = await proUser('channels-crud');
    const { channel, secret } = await createWebhook(alice);
    expect(secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    const list = await stack.api('/api/alert-channels', { as: alice });
    expectResponseOf('listAlertChannels', list);
    expect(list.json.channels.map((c: { kind: string }) => c.kind)).toEqual(['email', 'webhook']);
    expect(list.text).not.toContain(secret);

    const renamed = await stack.api(`/api/alert-channels/${channel.id}`, {
      method: 'PATCH',
      as: alice,
      body: { name: 'Pager' },
    });
    expect(renamed.json.name).toBe('Pager');
    const other = await proUser('channels-other');
    expect(
      (await stack.api(`/api/alert-channels/${channel.id}/test`, { method: 'POST', as: other }))
        .status,
    ).toBe(404);
    const deleted = await stack.api(`/api/alert-channels/${channel.id}`, {
      method: 'DELETE',
      as: alice,
    });
    expect(deleted.status).toBe(200);
  });

  it.each([
    ['https://10.0.0.1/hook', 'private'],
    ['https://169.254.169.254/latest', 'private'],
    ['http://localhost:9/hook', 'https'],
    ['https://[::1]/hook', 'private'],
  ])('refuses %s (400)', async (url, reason) => {
    const bob = await proUser(`channels-ssrf-${reason}-${url.length}`);
    const answer = await stack.api('/api/alert-channels', {
      method: 'POST',
      as: bob,
      body: { kind: 'webhook', name: 'Bad', url },
    });
    expect(answer.status).toBe(400);
    expect(answer.json.error.message).toContain(reason);
  });

  it('Test POSTs a signed notice the receiver verifies with the secret', async () => {
    const carol = await proUser('channels-test');
    const { channel, secret } = await createWebhook(carol, '/signed');
    const tested = await stack.api(`/api/alert-channels/${channel.id}/test`, {
      method: 'POST',
      as: carol,
    });
    expect(tested.status, tested.text).toBe(200);
    expect(tested.json).toMatchObject({ status: 'delivered', attempts: 1, level: 'test' });
    const request = receiver.received.findLast((r) => r.path === '/signed');
    expect(request).toBeDefined();
    const signature = String(request?.headers['x-metrion-signature']);
    expect(
      verifyWebhookSignature(secret, signature, request?.body ?? '', clock.nowMs() / 1000),
    ).toBe(true);
    expect(
      verifyWebhookSignature('whsec_wrong', signature, request?.body ?? '', clock.nowMs() / 1000),
    ).toBe(false);
    expect(JSON.parse(request?.body ?? '{}')).toMatchObject({ type: 'alert.test', version: 1 });
    expect(request?.headers['x-metrion-delivery']).toBe(tested.json.id);
    // Within the minute: 429.
    const again = await stack.api(`/api/alert-channels/${channel.id}/test`, {
      method: 'POST',
      as: carol,
    });
    expect(again.status).toBe(429);
  });

  it('retries a fired level after a 500 until the receiver takes it, then never again', async () => {
    // Arrange: a volume rule of 1 request notifying the webhook, and one request through the proxy.
    const dave = await proUser('channels-retry');
    const { channel, secret } = await createWebhook(dave, '/flaky');
    const rule = await stack.api('/api/alerts', {
      method: 'POST',
      as: dave,
      body: { type: 'request_volume', threshold: 1, name: 'Any traffic', channels: [channel.id] },
    });
    expect(rule.status, rule.text).toBe(201);
    await stack.api('/api/settings/providers/openai', {
      method: 'PUT',
      as: dave,
      body: { key: FAKE_OPENAI_API_KEY },
    });
    const key = (await stack.api('/api/settings/metrion-key', { as: dave })).json.metrionKey;
    stack.openai.setScenario({ kind: 'ok', tokens: { inputTokens: 10, outputTokens: 5 } });
    await new OpenAI({
      apiKey: key,
      baseURL: stack.metrion.proxyBaseUrls.openai,
      maxRetries: 0,
    }).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });
    receiver.answer = () => ({ status: 500 });
    const flaky = () => receiver.received.filter((request) => request.path === '/flaky');

    // Act: the evaluator fires Alert (first attempt answered 500).
    await readUntil(
      async () => {
        await stack.metrion.jobs.evaluateAlerts();
        return flaky().length;
      },
      (attempts) => attempts > 0,
      50,
    );
    expect(flaky()).toHaveLength(1);
    const log = async () =>
      (await stack.api(`/api/alert-channels/${channel.id}/deliveries`, { as: dave })).json
        .deliveries[0];
    expect(await log()).toMatchObject({
      level: 'alert',
      status: 'pending',
      attempts: 1,
      lastResult: { kind: 'answered', status: 500 },
    });

    // The retry run before the backoff: nothing; after one minute: the receiver takes it.
    await stack.metrion.jobs.deliverAlerts();
    expect(flaky()).toHaveLength(1);
    receiver.answer = () => ({ status: 204 });
    clock.advance(60_000);
    expect(await stack.metrion.jobs.deliverAlerts()).toMatchObject({ delivered: 1 });
    expect(flaky()).toHaveLength(2);
    expect(await log()).toMatchObject({ status: 'delivered', attempts: 2 });
    // Both attempts carried the same delivery id and body, each signed at its own time.
    const [first, second] = flaky();
    expect(second?.headers['x-metrion-delivery']).toBe(first?.headers['x-metrion-delivery']);
    expect(second?.body).toBe(first?.body);
    const signature = String(second?.headers['x-metrion-signature']);
    expect(
      verifyWebhookSignature(secret, signature, second?.body ?? '', clock.nowMs() / 1000),
    ).toBe(true);
    expect(JSON.parse(second?.body ?? '{}')).toMatchObject({
      type: 'alert.fired',
      level: 'alert',
      rule: { name: 'Any traffic', type: 'request_volume', scope: { kind: 'account' } },
    });

    // After a 2xx: no retry run and no evaluation sends it again.
    clock.advance(10 * 60_000);
    await stack.metrion.jobs.deliverAlerts();
    await stack.metrion.jobs.evaluateAlerts();
    expect(flaky()).toHaveLength(2);
  });

  it('refuses to delete a channel a rule still notifies (409)', async () => {
    const erin = await proUser('channels-in-use');
    const { channel } = await createWebhook(erin);
    await stack.api('/api/alerts', {
      method: 'POST',
      as: erin,
      body: {
        type: 'forecast',
        threshold: 400,
        name: 'Month end',
        channels: ['email', channel.id],
      },
    });
    const answer = await stack.api(`/api/alert-channels/${channel.id}`, {
      method: 'DELETE',
      as: erin,
    });
    expect(answer.status).toBe(409);
    expect(answer.json.error).toMatchObject({ code: 'channel_in_use' });
    expect(answer.json.error.message).toContain('Month end');
  });
});
