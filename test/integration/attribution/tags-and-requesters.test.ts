import { createOpenAI } from '@ai-sdk/openai';
import Anthropic from '@anthropic-ai/sdk';
import { generateText } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGS_CSV_COLUMNS } from '#contracts/logs-api.ts';
import { HOUR_MS } from '#core/rollups/buckets.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { parseCsv } from '../../fixtures/csv.ts';
import { FAKE_ANTHROPIC_API_KEY } from '../../fixtures/fake-anthropic-server.ts';
import { FAKE_OPENAI_API_KEY } from '../../fixtures/fake-openai-server.ts';
import type { FakeUpstream } from '../../fixtures/fake-upstream-scenarios.ts';
import { readUntil } from '../../fixtures/read-until.ts';
import {
  type DashboardApiStack,
  expectNoSecretsInLogs,
  expectResponseOf,
  startDashboardApiStack,
  type TestUser,
} from '../support/dashboard-api-stack.ts';

// Attribution end to end: the official openai, @anthropic-ai/sdk and Vercel AI SDK clients (and
// plain HTTP, as curl) tag requests through the proxy and name requesters in the body; the tags
// and requesters show in Logs, the CSV and the "By tag" breakdown with exact costs, never reach
// the provider, and stay inside their account.
//
// Prices (published, per million tokens): gpt-4o-mini $0.15 in, $0.60 out; claude-haiku-4-5
// $1 in, $5 out. Every OpenAI call reports 1,000 in / 200 out: $0.00015 + $0.00012 = $0.00027.
// The Anthropic call reports 2,000 in / 400 out: $0.002 + $0.002 = $0.004.
const OPENAI_TOKENS = { inputTokens: 1000, outputTokens: 200 };
const ANTHROPIC_TOKENS = { inputTokens: 2000, outputTokens: 400 };

let stack: DashboardApiStack;
let alice: TestUser;
let bob: TestUser;
let aliceKey: string;
let bobKey: string;
let aliceAccountId: string;
/** Alice's records, newest first, once all of them have landed. */
let records: UsageRecord[];
/** The proxy's request id of each of Alice's calls, by name. */
const ids: Record<string, string> = {};

async function signUpWithKeys(label: string): Promise<[TestUser, string, string]> {
  const user = await stack.signUp(label);
  const accountId = (await stack.api('/api/me', { as: user })).json.accountId as string;
  for (const [provider, key] of [
    ['openai', FAKE_OPENAI_API_KEY],
    ['anthropic', FAKE_ANTHROPIC_API_KEY],
  ]) {
    await stack.api(`/api/settings/providers/${provider}`, {
      method: 'PUT',
      as: user,
      body: { key },
    });
  }
  const key = (await stack.api('/api/settings/metrion-key', { as: user })).json.metrionKey;
  return [user, key, accountId];
}

async function recordsOf(accountId: string, count: number): Promise<UsageRecord[]> {
  const found = await readUntil(
    () => stack.metrion.data.usage.listRecent(accountId, 100),
    (records) => records.length >= count,
  );
  if (found.length < count) throw new Error(`expected ${count} records`);
  return found;
}

/** The records of these requests, once all are written (they land after the answer). */
async function recordsWithIds(
  accountId: string,
  requestIds: string[],
): Promise<Map<string, UsageRecord>> {
  const byId = await readUntil(
    async () => {
      const found = await stack.metrion.data.usage.listRecent(accountId, 100);
      return new Map(found.map((record) => [record.requestId, record]));
    },
    (records) => requestIds.every((id) => records.has(id)),
  );
  if (!requestIds.every((id) => byId.has(id))) {
    throw new Error(`expected the records of ${requestIds.join(', ')}`);
  }
  return byId;
}

/** No request the fake received carried a Metrion header (tags, requester, token). */
function expectNoMetrionHeaders(upstream: FakeUpstream): void {
  expect(upstream.requests.length).toBeGreaterThan(0);
  for (const request of upstream.requests) {
    expect(Object.keys(request.headers).filter((name) => name.startsWith('x-metrion'))).toEqual([]);
  }
}

beforeAll(async () => {
  stack = await startDashboardApiStack({ anthropic: true });
  const [aliceUser, key, aliceId] = await signUpWithKeys('tags-alice');
  [alice, aliceKey, aliceAccountId] = [aliceUser, key, aliceId];
  const [bobUser, otherKey] = await signUpWithKeys('tags-bob');
  [bob, bobKey] = [bobUser, otherKey];
  const anthropicFake = stack.anthropic as FakeUpstream;
  stack.openai.setScenario({ kind: 'ok', tokens: OPENAI_TOKENS });
  anthropicFake.setScenario({ kind: 'ok', tokens: ANTHROPIC_TOKENS });
  const baseURL = stack.metrion.proxyBaseUrls.openai;
  const messages = [{ role: 'user' as const, content: 'hi' }];

  // openai, per request: two tags; `user` in the body is the requester.
  const openai = new OpenAI({ apiKey: aliceKey, baseURL, maxRetries: 0 });
  const perRequest = await openai.chat.completions
    .create(
      { model: 'gpt-4o-mini', messages, user: 'customer-42' },
      { headers: { 'x-metrion-tag-feature': 'search', 'x-metrion-tag-plan': 'pro' } },
    )
    .withResponse();
  ids.perRequest = perRequest.response.headers.get('x-metrion-request-id') ?? '';

  // openai, default headers on the client, plus a streamed call that adds a per-request tag;
  // `safety_identifier` is the requester.
  const tagged = new OpenAI({
    apiKey: aliceKey,
    baseURL,
    maxRetries: 0,
    defaultHeaders: { 'x-metrion-tag-service': 'search-api' },
  });
  const byDefault = await tagged.chat.completions
    .create({ model: 'gpt-4o-mini', messages, safety_identifier: 'customer-7' })
    .withResponse();
  ids.byDefault = byDefault.response.headers.get('x-metrion-request-id') ?? '';
  const stream = await tagged.chat.completions
    .create(
      { model: 'gpt-4o-mini', messages, stream: true },
      { headers: { 'x-metrion-tag-feature': 'search' } },
    )
    .withResponse();
  for await (const _chunk of stream.data) {
    // drain
  }
  ids.streamed = stream.response.headers.get('x-metrion-request-id') ?? '';

  // @anthropic-ai/sdk: a default tag, a per-request one, metadata.user_id as the requester.
  const anthropic = new Anthropic({
    apiKey: aliceKey,
    baseURL: stack.metrion.proxyBaseUrls.anthropic,
    maxRetries: 0,
    defaultHeaders: { 'x-metrion-tag-service': 'support-bot' },
  });
  const message = await anthropic.messages
    .create(
      {
        model: 'claude-haiku-4-5',
        max_tokens: 256,
        messages,
        metadata: { user_id: 'customer-42' },
      },
      { headers: { 'x-metrion-tag-feature': 'chat' } },
    )
    .withResponse();
  ids.anthropic = message.response.headers.get('x-metrion-request-id') ?? '';

  // The Vercel AI SDK: `headers` on the call, the requester in x-metrion-user.
  await generateText({
    model: createOpenAI({ baseURL, apiKey: aliceKey }).chat('gpt-4o-mini'),
    prompt: 'hi',
    maxRetries: 0,
    headers: { 'x-metrion-tag-feature': 'search', 'x-metrion-user': 'agent-9' },
  });

  // curl: plain HTTP; the x-metrion-user header wins over the body's `user`.
  const curl = await fetch(`${baseURL}/chat/completions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${aliceKey}`,
      'content-type': 'application/json',
      'x-metrion-tag-feature': 'batch',
      'x-metrion-user': 'ci',
    },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages, user: 'not-the-requester' }),
  });
  expect(curl.status).toBe(200);
  ids.curl = curl.headers.get('x-metrion-request-id') ?? '';

  // Bob tags with the same key and value in his own account.
  const bobClient = new OpenAI({ apiKey: bobKey, baseURL, maxRetries: 0 });
  await bobClient.chat.completions.create(
    { model: 'gpt-4o-mini', messages },
    { headers: { 'x-metrion-tag-feature': 'search', 'x-metrion-tag-bob_only': 'yes' } },
  );

  records = await recordsOf(aliceId, 6);
  expect(records).toHaveLength(6);
});

afterAll(async () => {
  await stack?.close();
});

describe('tags and requesters through the SDKs', () => {
  it('records each request with its tags and requester, and never forwards them', () => {
    const byId = new Map(records.map((record) => [record.requestId, record]));
    expect(byId.get(ids.perRequest ?? '')).toMatchObject({
      tags: { feature: 'search', plan: 'pro' },
      requester: 'customer-42',
      costPicoUsd: 270_000_000n,
    });
    expect(byId.get(ids.byDefault ?? '')).toMatchObject({
      tags: { service: 'search-api' },
      requester: 'customer-7',
    });
    expect(byId.get(ids.streamed ?? '')).toMatchObject({
      tags: { service: 'search-api', feature: 'search' },
      streamed: true,
    });
    expect(byId.get(ids.streamed ?? '')?.requester).toBeUndefined();
    expect(byId.get(ids.anthropic ?? '')).toMatchObject({
      tags: { service: 'support-bot', feature: 'chat' },
      requester: 'customer-42',
      costPicoUsd: 4_000_000_000n,
    });
    expect(byId.get(ids.curl ?? '')).toMatchObject({ tags: { feature: 'batch' }, requester: 'ci' });
    expect(records.filter((r) => r.requester === 'agent-9')).toHaveLength(1);

    expectNoMetrionHeaders(stack.openai);
    expectNoMetrionHeaders(stack.anthropic as FakeUpstream);
    // The body goes upstream untouched: the SDK's own end-user field included.
    expect(stack.openai.requests.some((r) => r.body.includes('"user":"customer-42"'))).toBe(true);
  });

  it('refuses a bad tag header with a 400 the SDK raises, naming the header', async () => {
    const openai = new OpenAI({
      apiKey: aliceKey,
      baseURL: stack.metrion.proxyBaseUrls.openai,
      maxRetries: 0,
    });
    const sent = stack.openai.requests.length;
    const refused = openai.chat.completions.create(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
      { headers: { 'x-metrion-tag-Team.Name': 'x' } },
    );
    await expect(refused).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(refused).rejects.toThrow(/x-metrion-tag-team\.name: a tag key is 1 to 32/);
    expect(stack.openai.requests).toHaveLength(sent);
  });

  it('shows tags and requesters in Logs, filters by tag, and returns them in the detail', async () => {
    const page = await stack.api('/api/logs?range=24h', { as: alice });
    expectResponseOf('listLogs', page);
    const row = page.json.rows.find((r: { requestId: string }) => r.requestId === ids.perRequest);
    expect(row).toMatchObject({
      tags: { feature: 'search', plan: 'pro' },
      requester: 'customer-42',
      costUsd: '0.00027',
    });

    const search = await stack.api('/api/logs?range=24h&tag=feature:search', { as: alice });
    expect(search.json.totalCount).toBe(3);
    expect(search.json.rows.map((r: { tags: { feature: string } }) => r.tags.feature)).toEqual([
      'search',
      'search',
      'search',
    ]);
    const both = await stack.api('/api/logs?range=24h&tag=feature:search&tag=service:search-api', {
      as: alice,
    });
    expect(both.json.rows.map((r: { requestId: string }) => r.requestId)).toEqual([ids.streamed]);

    const detail = await stack.api(`/api/logs/${ids.anthropic}`, { as: alice });
    expectResponseOf('getLog', detail);
    expect(detail.json).toMatchObject({
      tags: { feature: 'chat', service: 'support-bot' },
      requester: 'customer-42',
      costUsd: '0.004',
    });
  });

  it('exports one tag:<key> column per key, with the values and exact costs', async () => {
    const response = await fetch(`${stack.metrion.url}/api/logs/export.csv?range=24h`, {
      headers: { authorization: `Bearer ${alice.idToken}` },
    });
    const [header = [], ...rows] = parseCsv(await response.text());
    expect(header).toEqual([...LOGS_CSV_COLUMNS, 'tag:feature', 'tag:plan', 'tag:service']);
    const cell = (row: string[], column: string) => row[header.indexOf(column)];
    const line = rows.find((row) => cell(row, 'request_id') === ids.perRequest) ?? [];
    expect([
      cell(line, 'requester'),
      cell(line, 'cost_usd'),
      cell(line, 'tag:feature'),
      cell(line, 'tag:plan'),
      cell(line, 'tag:service'),
    ]).toEqual(['customer-42', '0.00027', 'search', 'pro', '']);
    const anthropicLine = rows.find((row) => cell(row, 'request_id') === ids.anthropic) ?? [];
    expect([cell(anthropicLine, 'cost_usd'), cell(anthropicLine, 'tag:service')]).toEqual([
      '0.004',
      'support-bot',
    ]);
    const searchCsv = await fetch(
      `${stack.metrion.url}/api/logs/export.csv?range=24h&tag=feature:search`,
      { headers: { authorization: `Bearer ${alice.idToken}` } },
    );
    expect(parseCsv(await searchCsv.text())).toHaveLength(1 + 3);
  });

  it('breaks cost down by tag exactly, live and after the seal, and filters the Dashboard by it', async () => {
    // feature: chat $0.004; search 3 x $0.00027 = $0.00081; batch $0.00027.
    const expected = [
      ['chat', 1, '0.004'],
      ['search', 3, '0.00081'],
      ['batch', 1, '0.00027'],
    ];
    const breakdown = async () => {
      const answer = await stack.api('/api/dashboard/tags?range=24h&key=feature', { as: alice });
      expectResponseOf('getDashboardTags', answer);
      return answer.json;
    };
    // The keys seen are written beside the rollups, so wait for both.
    const live = await readUntil(
      breakdown,
      (view) => view.total.requests === 5 && view.keys.length === 3,
      50,
    );
    const rows = (view: typeof live) =>
      view.values.map((v: { value: string; requests: number; costUsd: string }) => [
        v.value,
        v.requests,
        v.costUsd,
      ]);
    expect(rows(live)).toEqual(expected);
    expect(live.total).toMatchObject({ requests: 5, costUsd: '0.00508', cost: '0.005080' });
    expect(live.keys.sort()).toEqual(['feature', 'plan', 'service']);

    await stack.metrion.jobs.sealRollups({ graceMs: -HOUR_MS });
    const sealed = await breakdown();
    expect(rows(sealed)).toEqual(expected);
    expect(sealed.values.every((v: { complete: boolean }) => v.complete)).toBe(true);

    const overview = await stack.api('/api/dashboard/overview?range=24h&tag=feature:search', {
      as: alice,
    });
    expect(overview.json.requests.total).toBe(3);
    expect(overview.json.cost.total).toBe('0.000810');
    const logs = await stack.api('/api/logs?range=24h&tag=service:support-bot', { as: alice });
    expect(logs.json.totalCount).toBe(1);
  });

  it('keeps tag values inside their account', async () => {
    const bobs = await stack.api('/api/dashboard/tags?range=24h&key=feature', { as: bob });
    expect(
      bobs.json.values.map((v: { value: string; requests: number }) => [v.value, v.requests]),
    ).toEqual([['search', 1]]);
    expect(bobs.json.keys.sort()).toEqual(['bob_only', 'feature']);
    const alices = await stack.api('/api/dashboard/tags?range=24h&key=bob_only', { as: alice });
    expect(alices.json).toMatchObject({ key: 'bob_only', values: [], total: { requests: 0 } });
    const bobLogs = await stack.api('/api/logs?range=24h&tag=feature:search', { as: bob });
    expect(bobLogs.json.totalCount).toBe(1);
    const bobCsv = await fetch(`${stack.metrion.url}/api/logs/export.csv?range=24h`, {
      headers: { authorization: `Bearer ${bob.idToken}` },
    });
    const [header] = parseCsv(await bobCsv.text());
    expect(header?.filter((column) => column.startsWith('tag:'))).toEqual([
      'tag:bob_only',
      'tag:feature',
    ]);
    expectNoSecretsInLogs(stack);
  });

  it('names the requester from a Responses API body, and ignores an invalid one without a 400', async () => {
    const openai = new OpenAI({
      apiKey: aliceKey,
      baseURL: stack.metrion.proxyBaseUrls.openai,
      maxRetries: 0,
    });
    const named = await openai.responses
      .create(
        { model: 'gpt-4o-mini', input: 'hi', safety_identifier: 'customer-9' },
        { headers: { 'x-metrion-tag-feature': 'responses' } },
      )
      .withResponse();
    // 129 characters breaks the requester rule: the provider still gets the request.
    const invalid = await openai.responses
      .create({ model: 'gpt-4o-mini', input: 'hi', user: 'u'.repeat(129) })
      .withResponse();
    expect(invalid.response.status).toBe(200);

    const namedId = named.response.headers.get('x-metrion-request-id') ?? '';
    const invalidId = invalid.response.headers.get('x-metrion-request-id') ?? '';
    const byId = await recordsWithIds(aliceAccountId, [namedId, invalidId]);
    expect(byId.get(namedId)).toMatchObject({
      kind: 'responses',
      requester: 'customer-9',
      tags: { feature: 'responses' },
    });
    expect(byId.get(invalidId)).toMatchObject({ kind: 'responses', status: 200 });
    expect(byId.get(invalidId)?.requester).toBeUndefined();
    expect(stack.openai.requests.at(-1)?.body).toContain(`"user":"${'u'.repeat(129)}"`);
    expectNoMetrionHeaders(stack.openai);
  });
});
