// The Budgets API over HTTP through the local stack: plan allowances (Free one account-wide
// budget, Pro up to 20), validation messages that say what is wrong, another tenant's id as 404,
// and answers that match the contract.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAccountStore } from '#adapters/dynamodb/dynamo-account-store.ts';
import {
  type DashboardApiStack,
  expectApiError,
  expectResponseOf,
  startDashboardApiStack,
  type TestUser,
} from '../support/dashboard-api-stack.ts';

let stack: DashboardApiStack;

beforeAll(async () => {
  stack = await startDashboardApiStack();
});
afterAll(async () => {
  await stack?.close();
});

async function signedUp(label: string, plan: 'free' | 'pro' = 'free'): Promise<TestUser> {
  const user = await stack.signUp(label);
  const me = await stack.api('/api/me', { as: user });
  if (plan === 'pro') {
    await new DynamoAccountStore({
      client: stack.metrion.data.documentClient,
      tableName: stack.metrion.data.accountsTable,
    }).updateProfile(me.json.accountId, { plan: 'pro' });
  }
  return user;
}

const accountWide = {
  name: 'Whole account',
  limit: 50,
  period: 'month',
  scope: { kind: 'account' },
  action: 'block',
};
const searchTag = {
  ...accountWide,
  name: 'Search',
  scope: { kind: 'tag', key: 'feature', value: 'search' },
};

describe('Budgets API', () => {
  it('lets a Free account create its one budget for all requests, and says why not more', async () => {
    const free = await signedUp('budgets-free');

    const empty = await stack.api('/api/budgets', { as: free });
    expectResponseOf('listBudgets', empty);
    expect(empty.json).toMatchObject({
      budgets: [],
      allowance: { plan: 'free', maxBudgets: 1, scopedBudgets: false },
      currency: 'USD',
      warningPercent: 90,
    });

    const tag = await stack.api('/api/budgets', { method: 'POST', as: free, body: searchTag });
    expectApiError(tag, 409, 'budget_limit', /part of Metrion Pro/);

    const created = await stack.api('/api/budgets', {
      method: 'POST',
      as: free,
      body: accountWide,
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      name: 'Whole account',
      limit: 50,
      currency: 'USD',
      unpriced: 'block',
      paused: false,
      current: { spent: '0.000000', reserved: '0.000000', percentUsed: 0, blocked: 0 },
    });
    expect(created.json.id).toMatch(/^bud_[0-9a-f]{8}$/);

    const second = await stack.api('/api/budgets', { method: 'POST', as: free, body: accountWide });
    expectApiError(second, 409, 'budget_limit', /The Free plan includes one budget/);
  });

  it('says what is wrong with a budget, field by field', async () => {
    const pro = await signedUp('budgets-invalid', 'pro');
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...accountWide, limit: 12.345 }, /at most two decimals \(whole cents\)/],
      [{ ...accountWide, limit: 0 }, /limit is above 0/],
      [{ ...accountWide, period: 'week' }, /period is day or month/],
      [{ ...accountWide, action: 'stop' }, /action is block .* or notify/],
      [{ ...accountWide, name: '  ' }, /A budget needs a name/],
      [{ ...accountWide, unpriced: 'maybe' }, /unpriced is block .* or allow/],
    ];
    for (const [body, message] of cases) {
      const answer = await stack.api('/api/budgets', { method: 'POST', as: pro, body });
      expectApiError(answer, 400, 'invalid_request', message);
    }
    expect((await stack.api('/api/budgets', { as: pro })).json.budgets).toEqual([]);
  });

  it('lets Pro scope budgets, edit, pause and delete them; up to 20', async () => {
    const pro = await signedUp('budgets-pro', 'pro');
    const created = await stack.api('/api/budgets', { method: 'POST', as: pro, body: searchTag });
    expect(created.status).toBe(201);
    const { id } = created.json;

    const edited = await stack.api(`/api/budgets/${id}`, {
      method: 'PATCH',
      as: pro,
      body: { limit: 75.5, action: 'notify' },
    });
    expectResponseOf('updateBudget', edited);
    expect(edited.json).toMatchObject({ id, limit: 75.5, action: 'notify', name: 'Search' });
    const paused = await stack.api(`/api/budgets/${id}`, {
      method: 'PATCH',
      as: pro,
      body: { paused: true },
    });
    expect(paused.json.paused).toBe(true);
    const nothing = await stack.api(`/api/budgets/${id}`, { method: 'PATCH', as: pro, body: {} });
    expectApiError(nothing, 400, 'invalid_request', /Send at least one of/);

    for (let index = 2; index <= 20; index += 1) {
      const more = await stack.api('/api/budgets', {
        method: 'POST',
        as: pro,
        body: { ...accountWide, name: `Budget ${index}` },
      });
      expect(more.status).toBe(201);
    }
    const twentyFirst = await stack.api('/api/budgets', {
      method: 'POST',
      as: pro,
      body: accountWide,
    });
    expectApiError(twentyFirst, 409, 'budget_limit', /at most 20 budgets/);

    const deleted = await stack.api(`/api/budgets/${id}`, { method: 'DELETE', as: pro });
    expectResponseOf('deleteBudget', deleted);
    const list = await stack.api('/api/budgets', { as: pro });
    expectResponseOf('listBudgets', list);
    expect(list.json.budgets).toHaveLength(19);
  });

  it("answers 404 for another account's budget id, and for an id of the wrong shape", async () => {
    const owner = await signedUp('budgets-owner');
    const stranger = await signedUp('budgets-stranger');
    const created = await stack.api('/api/budgets', {
      method: 'POST',
      as: owner,
      body: accountWide,
    });
    const { id } = created.json;

    const calls = [
      stack.api(`/api/budgets/${id}`, { method: 'PATCH', as: stranger, body: { limit: 1 } }),
      stack.api(`/api/budgets/${id}`, { method: 'DELETE', as: stranger }),
      stack.api('/api/budgets/not-a-budget', { method: 'DELETE', as: owner }),
    ];
    for (const answer of await Promise.all(calls)) expectApiError(answer, 404, 'not_found');
    const kept = await stack.api('/api/budgets', { as: owner });
    expect(kept.json.budgets).toMatchObject([{ id, limit: 50 }]);
  });
});
