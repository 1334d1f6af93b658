import OpenAI from 'openai';
import { describe, expect } from 'vitest';
import { readUntil } from '../../fixtures/read-until.ts';
import {
  type DashboardApiStack,
  dashboardApiTest,
  expectNoSecretsInLogs,
  expectResponseOf,
  type TestUser,
} from '../support/dashboard-api-stack.ts';

// Alice has settings, keys and usage; Bob, signed in with his own valid token, tries every route
// and every way of naming Alice's account. Nothing of Alice's may be read or changed.
const it = dashboardApiTest();
let alice: TestUser;
let bob: TestUser;
let aliceId: string;
let aliceKey: string;
let aliceSnapshot: { me: unknown; providers: unknown; status: unknown };

async function snapshotOfAlice(stack: DashboardApiStack) {
  return {
    me: (await stack.api('/api/me', { as: alice })).json,
    providers: (await stack.api('/api/settings/providers', { as: alice })).json,
    status: (await stack.api('/api/integration/status', { as: alice })).json,
  };
}

it.beforeAll(async ({ stack }) => {
  [alice, bob] = [await stack.signUp('alice'), await stack.signUp('bob')];
  aliceId = (await stack.api('/api/me', { as: alice })).json.accountId;
  await stack.api('/api/settings/general', {
    method: 'PATCH',
    as: alice,
    body: { displayName: 'Alice', currency: 'EUR' },
  });
  const { openai, metrionKey } = await stack.storedOpenAi(alice);
  aliceKey = metrionKey;
  await openai.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'hi' }],
  });
  await readUntil(
    () => stack.api('/api/integration/status', { as: alice }),
    (status) => status.json.firstRequestAt !== null,
  );
  aliceSnapshot = await snapshotOfAlice(stack);
  expect(aliceSnapshot.status).not.toEqual({ firstRequestAt: null });
});
describe('tenant isolation', () => {
  it('gives Bob his own account, key, providers and status', async ({ stack }) => {
    const me = await stack.api('/api/me', { as: bob });
    expectResponseOf('getMe', me);
    expect(me.json.accountId).not.toBe(aliceId);
    expect(me.json.email).toBe(bob.email);
    expect((await stack.api('/api/settings/metrion-key', { as: bob })).json.metrionKey).not.toBe(
      aliceKey,
    );
    expect((await stack.api('/api/settings/providers', { as: bob })).json).toEqual({
      providers: [],
    });
    expect((await stack.api('/api/integration/status', { as: bob })).json).toEqual({
      firstRequestAt: null,
    });
  });

  it.for([
    '/api/accounts/{id}',
    '/api/me/{id}',
    '/api/settings/metrion-key/{id}',
    '/api/settings/general/{id}',
    '/api/integration/status/{id}',
    '/api/settings/providers/openai/{id}',
  ])(
    "has no route that takes an account id: GET %s with Alice's id is 404",
    async (template, { stack }) => {
      const answer = await stack.api(template.replace('{id}', aliceId), { as: bob });
      expect(answer.status).toBe(404);
      expect(answer.text).not.toContain('Alice');
    },
  );

  it('treats an account id in the provider slot as an unknown provider', async ({ stack }) => {
    const answer = await stack.api(`/api/settings/providers/${aliceId}`, {
      method: 'DELETE',
      as: bob,
    });
    expect(answer.status).toBe(404);
    expect(answer.json.error.message).toContain('Unknown provider');
  });

  it('ignores account ids in query strings and headers', async ({ stack }) => {
    const tricks = { 'x-metrion-account': aliceId, 'x-amzn-oidc-identity': aliceId };
    for (const path of [
      '/api/me',
      '/api/settings/metrion-key',
      '/api/settings/providers',
      '/api/integration/status',
    ]) {
      const answer = await stack.api(`${path}?accountId=${aliceId}&account=${aliceId}`, {
        as: bob,
        headers: tricks,
      });
      expect(answer.status).toBe(200);
      expect(answer.text).not.toContain(aliceId);
      expect(answer.text).not.toContain(aliceKey);
      expect(answer.text).not.toContain('Alice');
    }
  });

  it('lets Bob change only his own settings and keys', async ({ stack }) => {
    // Act: every write route, as Bob, some with Alice's id wherever it could be smuggled.
    const rejected = await stack.api(`/api/settings/general?accountId=${aliceId}`, {
      method: 'PATCH',
      as: bob,
      body: { accountId: aliceId, displayName: 'Mallory' },
    });
    await stack.api('/api/settings/general', {
      method: 'PATCH',
      as: bob,
      body: { displayName: 'Bob', currency: 'CHF' },
    });
    const deleteMissing = await stack.api('/api/settings/providers/openai', {
      method: 'DELETE',
      as: bob,
    });
    await stack.api('/api/settings/providers/openai', {
      method: 'PUT',
      as: bob,
      body: { key: 'sk-proj-bobsownkeybobsownkey0123' },
    });
    await stack.api('/api/settings/providers/openai', { method: 'DELETE', as: bob });
    await stack.api('/api/settings/metrion-key/regenerate', { method: 'POST', as: bob });

    // Assert
    expect(rejected.status).toBe(400);
    expect(deleteMissing.status).toBe(404);
    expect(await snapshotOfAlice(stack)).toEqual(aliceSnapshot);
    expect((await stack.api('/api/settings/metrion-key', { as: alice })).json.metrionKey).toBe(
      aliceKey,
    );
    const aliceClient = new OpenAI({
      apiKey: aliceKey,
      baseURL: stack.metrion.proxyBaseUrls.openai,
      maxRetries: 0,
    });
    const completion = await aliceClient.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'still mine?' }],
    });
    expect(completion.choices[0]?.message.content).toBeTruthy();
  });

  it('wrote no key to the logs', ({ stack }) => {
    stack.secrets.add('sk-proj-bobsownkeybobsownkey0123');
    expectNoSecretsInLogs(stack);
  });
});
