import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect } from 'vitest';
import { DynamoAccountStore } from '#adapters/dynamodb/dynamo-account-store.ts';
import { DynamoProxyAdmission } from '#adapters/dynamodb/dynamo-proxy-admission.ts';
import { minuteCounter, monthCounter } from '#core/limits/request-limits.ts';
import { FakeClock } from '../../fakes/fake-clock.ts';
import { currentKeyDigest, setDynamoWindowCount } from '../../fixtures/admission.ts';
import { FAKE_OPENAI_API_KEY } from '../../fixtures/fake-openai-server.ts';
import { type ProxyStack, proxyStackTest } from '../support/proxy-stack.ts';

// The proxy's clock is pinned, so a test never straddles a real minute boundary.
const clock = new FakeClock({ startMs: Date.parse('2026-11-30T23:50:15.000Z') });

const it = proxyStackTest({ clock });

const OPENAI_PATH = '/api/proxy/openai/v1/chat/completions';
const chatBody = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'hi' }],
});

function postChat(stack: ProxyStack, metrionKey: string) {
  return fetch(`${stack.metrion.url}${OPENAI_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${metrionKey}` },
    body: chatBody,
  });
}

function accountsTable(stack: ProxyStack) {
  return { client: stack.metrion.data.documentClient, tableName: stack.metrion.data.accountsTable };
}

async function newAccount(stack: ProxyStack, email: string) {
  const created = await stack.metrion.data.accountService.createAccount({ email });
  await stack.metrion.data.accountService.putProviderKey(
    created.account.accountId,
    'openai',
    FAKE_OPENAI_API_KEY,
  );
  return { accountId: created.account.accountId, metrionKey: created.metrionKey };
}

describe('rate limit: 100 requests per minute per Metrion Key', () => {
  it('lets exactly 100 of 150 concurrent requests through and answers the rest with 429', async ({
    stack,
  }) => {
    // Arrange
    const upstreamBefore = stack.openai.requests.length;
    const recordsBefore = (await stack.settledRecords()).length;

    // Act
    const responses = await Promise.all(
      Array.from({ length: 150 }, () => postChat(stack, stack.metrionKey)),
    );
    const bodies = await Promise.all(responses.map((response) => response.text()));

    // Assert: statuses, the 429 shape, and that refused requests reached nobody
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(100);
    expect(statuses.filter((status) => status === 429)).toHaveLength(50);
    const refusedIndex = statuses.indexOf(429);
    expect(responses[refusedIndex]?.headers.get('retry-after')).toBe('45');
    expect(JSON.parse(bodies[refusedIndex] ?? '{}')).toEqual({
      error: {
        message: expect.stringMatching(
          /100 requests per minute per Metrion Key\. It resets at 23:51:00 UTC \(in 45 s\)/,
        ),
        type: 'rate_limit_error',
        code: 'rate_limit_exceeded',
      },
    });
    expect(stack.openai.requests.length - upstreamBefore).toBe(100);
    await stack.waitForRecords(recordsBefore + 100);
  });

  it('counts the refused requests on the window instead of logging them', async ({ stack }) => {
    const records = await stack.records();
    expect(records.filter((record) => record.status === 429)).toHaveLength(0);
    const window = await findMinuteWindow(stack, stack.accountId);
    expect(window).toEqual({ count: 100, refused: 50 });
  });

  it('raises the SDKs’ RateLimitError, and lets requests through again in the next minute', async ({
    stack,
  }) => {
    const openai = new OpenAI({
      apiKey: stack.metrionKey,
      baseURL: stack.metrion.proxyBaseUrls.openai,
      maxRetries: 0,
    });
    const anthropic = new Anthropic({
      apiKey: stack.metrionKey,
      baseURL: stack.metrion.proxyBaseUrls.anthropic,
      maxRetries: 0,
    });

    const openAiFailure = await openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .catch((error: unknown) => error);
    const anthropicFailure = await anthropic.messages
      .create({
        model: 'claude-haiku-4-5',
        max_tokens: 8,
        messages: [{ role: 'user', content: 'hi' }],
      })
      .catch((error: unknown) => error);

    expect(openAiFailure).toBeInstanceOf(OpenAI.RateLimitError);
    expect(anthropicFailure).toBeInstanceOf(Anthropic.RateLimitError);
    expect((anthropicFailure as InstanceType<typeof Anthropic.RateLimitError>).error).toEqual({
      type: 'error',
      error: { type: 'rate_limit_error', message: expect.stringContaining('per minute') },
    });
    clock.set(Date.parse('2026-11-30T23:51:00.000Z'));
    await expect(
      openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
      }),
    ).resolves.toMatchObject({ object: 'chat.completion' });
  });
});

describe('Free plan: 10,000 requests per calendar month (UTC)', () => {
  it('answers 429 until the 1st once the month is used up, and Pro has no monthly cap', async ({
    stack,
  }) => {
    // Arrange: two fresh accounts whose month counters already hold 10,000
    clock.set(Date.parse('2026-11-30T23:58:00.000Z'));
    const free = await newAccount(stack, 'free@example.com');
    const pro = await newAccount(stack, 'pro@example.com');
    await new DynamoAccountStore({
      client: stack.metrion.data.documentClient,
      tableName: stack.metrion.data.accountsTable,
    }).updateProfile(pro.accountId, { plan: 'pro' });
    for (const { accountId } of [free, pro]) await fillMonth(stack, accountId, 10_000);
    const upstreamBefore = stack.openai.requests.length;

    // Act
    const freeResponse = await postChat(stack, free.metrionKey);
    const proResponse = await postChat(stack, pro.metrionKey);

    // Assert
    expect(freeResponse.status).toBe(429);
    expect(freeResponse.headers.get('retry-after')).toBe('120');
    expect((await freeResponse.json()).error.message).toMatch(
      /Monthly limit reached.*10,000.*resets on 2026-12-01 at 00:00 UTC/,
    );
    expect(proResponse.status).toBe(200);
    expect(stack.openai.requests.length - upstreamBefore).toBe(1);
    clock.set(Date.parse('2026-12-01T00:00:00.000Z'));
    expect((await postChat(stack, free.metrionKey)).status).toBe(200);
  });
});

describe('side calls (model list, token count) — issue 14', () => {
  it('are rate limited per key but never count against, nor stop at, the monthly cap', async ({
    stack,
  }) => {
    clock.set(Date.parse('2026-11-15T10:00:10.000Z'));
    const free = await newAccount(stack, 'side-calls@example.com');
    await fillMonth(stack, free.accountId, 10_000);
    const client = new OpenAI({
      apiKey: free.metrionKey,
      baseURL: stack.metrion.proxyBaseUrls.openai,
      maxRetries: 0,
    });

    const models = await client.models.list();

    expect(models.data.map((model) => model.id)).toContain('gpt-4o-mini');
    expect(await findMinuteWindow(stack, free.accountId)).toEqual({ count: 1, refused: 0 });
    const month = await new DynamoProxyAdmission(accountsTable(stack)).windowCount(
      await currentKeyDigest(accountsTable(stack), free.accountId),
      monthCounter(clock.nowMs()),
    );
    expect(month.count).toBe(10_000);
    expect((await postChat(stack, free.metrionKey)).status).toBe(429);
  });
});

async function fillMonth(stack: ProxyStack, accountId: string, count: number): Promise<void> {
  await setDynamoWindowCount(
    accountsTable(stack),
    await currentKeyDigest(accountsTable(stack), accountId),
    monthCounter(clock.nowMs()),
    count,
  );
}

/** The minute window of the account's key. */
async function findMinuteWindow(stack: ProxyStack, accountId: string) {
  return new DynamoProxyAdmission(accountsTable(stack)).windowCount(
    await currentKeyDigest(accountsTable(stack), accountId),
    minuteCounter(clock.nowMs()),
  );
}
