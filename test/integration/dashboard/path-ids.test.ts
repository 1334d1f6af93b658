import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAccountStore } from '#adapters/dynamodb/dynamo-account-store.ts';
import { API_ROUTES, type ApiRouteName } from '#contracts/api-routes.ts';
import {
  type DashboardApiStack,
  startDashboardApiStack,
  type TestUser,
} from '../support/dashboard-api-stack.ts';

// Every route with a path id, on DynamoDB (dynalite): an id of the wrong shape or length never
// reaches a store (an over-long key made DynamoDB fail, answered as 503), a well-formed unknown
// one is a plain 404.
let stack: DashboardApiStack;
let pro: TestUser;

const ROUTES_WITH_IDS = (Object.keys(API_ROUTES) as ApiRouteName[]).filter((name) =>
  API_ROUTES[name].path.includes('{'),
);

/** A small valid body for routes that need one, so only the id can be wrong. */
const BODIES: Partial<Record<ApiRouteName, unknown>> = {
  putProviderKey: { key: 'sk-proj-0123456789abcdefghijklmnopqrstuvwxyz' },
  updateAlertRule: { paused: true },
};

function pathOf(name: ApiRouteName, id: string): string {
  return API_ROUTES[name].path.replace(/\{[A-Za-z]+\}/g, encodeURIComponent(id));
}

async function call(name: ApiRouteName, id: string) {
  const route = API_ROUTES[name];
  const body = BODIES[name];
  return stack.api(pathOf(name, id), {
    method: route.method,
    as: pro,
    ...(body === undefined ? {} : { body }),
  });
}

beforeAll(async () => {
  stack = await startDashboardApiStack();
  pro = await stack.signUp('path-ids');
  const accountId = (await stack.api('/api/me', { as: pro })).json.accountId as string;
  await new DynamoAccountStore({
    client: stack.metrion.data.documentClient,
    tableName: stack.metrion.data.accountsTable,
  }).updateProfile(accountId, { plan: 'pro' });
});
afterAll(async () => {
  await stack?.close();
});

describe('path ids on every dashboard API route', () => {
  it('covers the routes that take an id', () => {
    expect(ROUTES_WITH_IDS).toEqual(
      expect.arrayContaining([
        'putProviderKey',
        'deleteProviderKey',
        'getLog',
        'updateAlertRule',
        'deleteAlertRule',
        'testAlertRule',
      ]),
    );
  });

  it.each([
    ['2,000 characters', 'x'.repeat(2000)],
    ['a space', 'rule 1'],
    ['a slash', 'a/b'],
    ['a NUL', 'a\u0000b'],
    ['non-ASCII', 'régle'],
  ])(
    'answers an id with %s with 404 in the API envelope, before any store call',
    async (_label, id) => {
      for (const name of ROUTES_WITH_IDS) {
        const answer = await call(name, id);
        expect(answer.status, `${name}: ${answer.text}`).toBe(404);
        expect(answer.json.error.code).toBe('not_found');
      }
    },
  );

  it('answers a well-formed id that names nothing with 404', async () => {
    for (const name of ['getLog', 'updateAlertRule', 'deleteAlertRule', 'testAlertRule'] as const) {
      const answer = await call(
        name,
        name === 'getLog' ? crypto.randomUUID() : `rule_${'0'.repeat(20)}`,
      );
      expect(answer.status, `${name}: ${answer.text}`).toBe(404);
      expect(answer.json.error.code).toBe('not_found');
    }
  });
});
