import { describe, expect } from 'vitest';
import { DynamoAccountStore } from '#adapters/dynamodb/dynamo-account-store.ts';
import { readUntil } from '../../fixtures/read-until.ts';
import {
  type DashboardApiStack,
  dashboardApiTest,
  expectResponseOf,
  type TestUser,
} from '../support/dashboard-api-stack.ts';

interface StoredEmail {
  readonly subject: string;
  readonly destination: { readonly to: readonly string[] };
  readonly body: { readonly text?: string; readonly html?: string };
}

const it = dashboardApiTest();

async function accountId(stack: DashboardApiStack, user: TestUser): Promise<string> {
  const me = await stack.api('/api/me', { as: user });
  return me.json.accountId;
}

async function proUser(
  stack: DashboardApiStack,
  label: string,
): Promise<TestUser & { accountId: string }> {
  const user = await stack.signUp(label);
  const id = await accountId(stack, user);
  await new DynamoAccountStore({
    client: stack.metrion.data.documentClient,
    tableName: stack.metrion.data.accountsTable,
  }).updateProfile(id, { plan: 'pro' });
  return { ...user, accountId: id };
}

async function emailsTo(stack: DashboardApiStack, address: string): Promise<StoredEmail[]> {
  const store = await (await fetch(`${stack.metrion.sesEndpoint}/store`)).json();
  return (store.emails as StoredEmail[]).filter((email) => email.destination.to.includes(address));
}

/** Runs the alert evaluation until `address` has `count` emails (sending lands after it). */
async function evaluateUntilEmailed(
  stack: DashboardApiStack,
  address: string,
  count: number,
): Promise<void> {
  await readUntil(
    async () => {
      await stack.metrion.jobs.evaluateAlerts();
      return (await emailsTo(stack, address)).length;
    },
    (sent) => sent >= count,
    50,
  );
}

const budgetRule = { type: 'budget', threshold: 1, name: 'Monthly OpenAI budget' };

describe('Alerts API', () => {
  it('answers 403 with an upgrade hint on every route for a Free account', async ({ stack }) => {
    const free = await stack.signUp('free');
    await accountId(stack, free);
    const calls: [string, string][] = [
      ['GET', '/api/alerts'],
      ['POST', '/api/alerts'],
      ['PATCH', '/api/alerts/rule_x'],
      ['DELETE', '/api/alerts/rule_x'],
      ['POST', '/api/alerts/rule_x/test'],
    ];
    for (const [method, path] of calls) {
      const body =
        method === 'GET' || method === 'DELETE' || path.endsWith('/test')
          ? undefined
          : method === 'PATCH'
            ? { paused: true }
            : budgetRule;
      const answer = await stack.api(path, { method, as: free, ...(body ? { body } : {}) });
      expect(answer.status, `${method} ${path}`).toBe(403);
      expect(answer.json.error.code).toBe('plan_required');
      expect(answer.json.error.message).toMatch(/Upgrade/);
    }
  });

  it('creates (201), lists with windows, edits, pauses, and deletes a rule', async ({ stack }) => {
    const alice = await proUser(stack, 'alice-crud');
    const created = await stack.api('/api/alerts', { method: 'POST', as: alice, body: budgetRule });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({
      type: 'budget',
      threshold: 1,
      currency: 'USD',
      period: { kind: 'month' },
      paused: false,
      state: 'ok',
      lastFired: {},
      // Nothing spent yet.
      current: { value: '0.000000', ratio: 0 },
    });
    const list = await stack.api('/api/alerts', { as: alice });
    expectResponseOf('listAlertRules', list);
    expect(list.json.rules).toHaveLength(1);
    expect(list.json.windows).toMatchObject({
      minMinutes: 60,
      maxMinutes: 120,
      errorRateMinRequests: 20,
    });
    expect(list.json.windows).toMatchObject({
      forecastPaceDays: 7,
      forecastMinDays: 3,
      spikeBaselineDays: 7,
      spikeMinBaselineHours: 24,
    });

    const id = created.json.id;
    const paused = await stack.api(`/api/alerts/${id}`, {
      method: 'PATCH',
      as: alice,
      body: { paused: true, threshold: 2.5 },
    });
    expectResponseOf('updateAlertRule', paused);
    expect(paused.json).toMatchObject({ paused: true, state: 'paused', threshold: 2.5 });
    const bad = await stack.api(`/api/alerts/${id}`, {
      method: 'PATCH',
      as: alice,
      body: { threshold: 2.555 },
    });
    expect(bad.status).toBe(400);
    const deleted = await stack.api(`/api/alerts/${id}`, { method: 'DELETE', as: alice });
    expect(deleted.json).toEqual({ id });
    expect((await stack.api('/api/alerts', { as: alice })).json.rules).toHaveLength(0);
  });

  it('validates thresholds by type', async ({ stack }) => {
    const alice = await proUser(stack, 'alice-validate');
    for (const body of [
      { type: 'error_rate', unit: 'percent', threshold: 101 },
      { type: 'error_rate', unit: 'count', threshold: 2.5 },
      { type: 'budget', threshold: 0 },
      { type: 'latency_p95', threshold: -1 },
      { type: 'request_volume', threshold: 10, period: { kind: 'month' } },
    ]) {
      const answer = await stack.api('/api/alerts', { method: 'POST', as: alice, body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
    }
  });

  it("keeps each account's rules its own: Bob gets 404 for Alice's rule on every route", async ({
    stack,
  }) => {
    const alice = await proUser(stack, 'alice-iso');
    const bob = await proUser(stack, 'bob-iso');
    const rule = await stack.api('/api/alerts', { method: 'POST', as: alice, body: budgetRule });
    const path = `/api/alerts/${rule.json.id}`;
    expect((await stack.api('/api/alerts', { as: bob })).json.rules).toEqual([]);
    expect(
      (await stack.api(path, { method: 'PATCH', as: bob, body: { paused: true } })).status,
    ).toBe(404);
    expect((await stack.api(path, { method: 'DELETE', as: bob })).status).toBe(404);
    expect((await stack.api(`${path}/test`, { method: 'POST', as: bob })).status).toBe(404);
    const still = await stack.api('/api/alerts', { as: alice });
    expect(still.json.rules).toMatchObject([{ id: rule.json.id, paused: false }]);
  });

  it('Test sends a real email now, then 429 with Retry-After within 12 h', async ({ stack }) => {
    const alice = await proUser(stack, 'alice-test');
    const rule = await stack.api('/api/alerts', {
      method: 'POST',
      as: alice,
      body: { type: 'error_rate', unit: 'percent', threshold: 5 },
    });
    const first = await stack.api(`/api/alerts/${rule.json.id}/test`, {
      method: 'POST',
      as: alice,
    });
    expectResponseOf('testAlertRule', first);
    const emails = await emailsTo(stack, alice.email);
    expect(emails).toHaveLength(1);
    expect(emails[0]?.subject).toMatch(/Test/);
    expect(emails[0]?.body.text).toMatch(/Open the Dashboard: http/);
    const second = await stack.api(`/api/alerts/${rule.json.id}/test`, {
      method: 'POST',
      as: alice,
    });
    expect(second.status).toBe(429);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(11 * 3600);
    expect(await emailsTo(stack, alice.email)).toHaveLength(1);
  });

  it('rejects a 51st rule with 409 rule_limit', async ({ stack }) => {
    const alice = await proUser(stack, 'alice-limit');
    for (let i = 0; i < 50; i += 1) {
      const answer = await stack.api('/api/alerts', {
        method: 'POST',
        as: alice,
        body: { type: 'request_volume', threshold: 100 + i },
      });
      expect(answer.status).toBe(201);
    }
    const over = await stack.api('/api/alerts', { method: 'POST', as: alice, body: budgetRule });
    expect(over.status).toBe(409);
    expect(over.json.error.code).toBe('rule_limit');
  });
});

describe('Alert evaluation through the proxy', () => {
  it('emails exactly one Warning and one Alert as the openai client spends past a budget, and none more', async ({
    stack,
  }) => {
    const alice = await proUser(stack, 'alice-budget');
    const { openai: client } = await stack.storedOpenAi(alice);
    const rule = await stack.api('/api/alerts', { method: 'POST', as: alice, body: budgetRule });
    expect(rule.status).toBe(201);

    const spend = async (inputTokens: number, outputTokens: number) => {
      stack.openai.setScenario({ kind: 'ok', tokens: { inputTokens, outputTokens } });
      await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
      });
    };
    const evaluateUntil = (count: number) => evaluateUntilEmailed(stack, alice.email, count);

    // gpt-4o-mini: $0.15 per M input, $0.60 per M output. 0.15 + 0.8000004 = $0.9500004 (95%).
    await spend(1_000_000, 1_333_334);
    await evaluateUntil(1);
    // + 0.06 = $1.0100004 (101%).
    await spend(400_000, 0);
    await evaluateUntil(2);
    for (let run = 0; run < 3; run += 1) await stack.metrion.jobs.evaluateAlerts();

    const emails = await emailsTo(stack, alice.email);
    expect(emails.map((email) => email.subject)).toEqual([
      '[Metrion] Warning: Monthly OpenAI budget reached 90% of its threshold',
      '[Metrion] Alert: Monthly OpenAI budget reached its threshold',
    ]);
    expect(emails[1]?.body.text).toContain('Current value: 1.01 USD');
    expect(emails[1]?.body.text).toContain('Threshold: 1.00 USD');
    expect(emails[1]?.body.html).toContain('Open the Dashboard');
    const listed = await stack.api('/api/alerts', { as: alice });
    expect(listed.json.rules[0]).toMatchObject({ state: 'alert' });
    expect(Object.keys(listed.json.rules[0].lastFired).sort()).toEqual(['alert', 'warning']);
    // The list shows the figure the Alert email carried, exactly: $1.0100004 to 6 decimals.
    expect(listed.json.rules[0].current.value).toBe('1.010000');
  });

  it('emails one Alert, and no Warning, when one request takes spending from 0 to 120%', async ({
    stack,
  }) => {
    const bob = await proUser(stack, 'bob-budget-jump');
    const { openai: client } = await stack.storedOpenAi(bob);
    expect(
      (await stack.api('/api/alerts', { method: 'POST', as: bob, body: budgetRule })).status,
    ).toBe(201);

    // gpt-4o-mini: $0.15 per M input, $0.60 per M output. 0.15 + 1.05 = $1.20 (120%).
    stack.openai.setScenario({
      kind: 'ok',
      tokens: { inputTokens: 1_000_000, outputTokens: 1_750_000 },
    });
    await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });
    await evaluateUntilEmailed(stack, bob.email, 1);
    for (let run = 0; run < 3; run += 1) await stack.metrion.jobs.evaluateAlerts();

    const emails = await emailsTo(stack, bob.email);
    expect(emails.map((email) => email.subject)).toEqual([
      '[Metrion] Alert: Monthly OpenAI budget reached its threshold',
    ]);
    expect(emails[0]?.body.text).toContain('Current value: 1.20 USD');
    const listed = await stack.api('/api/alerts', { as: bob });
    expect(listed.json.rules[0].lastFired).toEqual({ alert: expect.any(String) });
    expect(listed.json.rules[0].current).toEqual({ value: '1.200000', ratio: 1.2 });
  });

  it('emails a tag-scoped budget on the tagged spend only, never on untagged spend', async ({
    stack,
  }) => {
    const carol = await proUser(stack, 'carol-tag-budget');
    const { openai: client } = await stack.storedOpenAi(carol);
    const rules = [
      { name: 'All traffic', type: 'budget', threshold: 1 },
      {
        name: 'Search budget',
        type: 'budget',
        threshold: 1,
        scope: { kind: 'tag', key: 'feature', value: 'search' },
      },
    ];
    for (const body of rules) {
      expect((await stack.api('/api/alerts', { method: 'POST', as: carol, body })).status).toBe(
        201,
      );
    }
    // gpt-4o-mini: $0.15 per M input, $0.60 per M output. 0.15 + 1.05 = $1.20 per request.
    stack.openai.setScenario({
      kind: 'ok',
      tokens: { inputTokens: 1_000_000, outputTokens: 1_750_000 },
    });
    const spend = (headers: Record<string, string>) =>
      client.chat.completions.create(
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
        { headers },
      );
    const evaluateUntil = (count: number) => evaluateUntilEmailed(stack, carol.email, count);
    const subjects = async () => (await emailsTo(stack, carol.email)).map((email) => email.subject);
    const currentOf = async (name: string) => {
      const listed = await stack.api('/api/alerts', { as: carol });
      return listed.json.rules.find((rule: { name: string }) => rule.name === name).current;
    };

    // $1.20 untagged and $1.20 tagged with another value: the account crosses, search does not.
    await spend({});
    await spend({ 'x-metrion-tag-feature': 'chat' });
    await evaluateUntil(1);
    for (let run = 0; run < 3; run += 1) await stack.metrion.jobs.evaluateAlerts();
    expect(await subjects()).toEqual(['[Metrion] Alert: All traffic reached its threshold']);
    expect(await currentOf('Search budget')).toEqual({ value: '0.000000', ratio: 0 });

    // $1.20 tagged feature:search: the search budget reaches 120% on that request alone.
    await spend({ 'x-metrion-tag-feature': 'search', 'x-metrion-tag-plan': 'pro' });
    await evaluateUntil(2);
    const emails = await emailsTo(stack, carol.email);
    expect(emails.map((email) => email.subject)).toEqual([
      '[Metrion] Alert: All traffic reached its threshold',
      '[Metrion] Alert: Search budget reached its threshold',
    ]);
    expect(emails[1]?.body.text).toContain('Current value: 1.20 USD');
    expect(await currentOf('Search budget')).toEqual({ value: '1.200000', ratio: 1.2 });
  });
});
