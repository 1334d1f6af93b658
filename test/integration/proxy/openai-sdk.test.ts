import OpenAI from 'openai';
import { describe, expect } from 'vitest';
import { FAKE_OPENAI_API_KEY } from '../../fixtures/fake-openai-server.ts';
import { createGate, holdUntil } from '../../fixtures/fake-upstream-scenarios.ts';
import { type ProxyStack, proxyStackTest, storedOpenAi } from '../support/proxy-stack.ts';

const it = proxyStackTest();

async function newestRecordAfter(stack: ProxyStack, countBefore: number) {
  const records = await stack.waitForRecords(countBefore + 1);
  return records[0];
}

function storedClient(stack: ProxyStack): OpenAI {
  return storedOpenAi(stack);
}

describe('OpenAI SDK through the proxy', () => {
  it('answers a JSON request in stored mode and records exact usage and cost', async ({
    stack,
  }) => {
    // Arrange
    stack.openai.setScenario({
      kind: 'ok',
      tokens: { inputTokens: 1000, cacheReadTokens: 500, outputTokens: 200 },
    });
    const before = (await stack.settledRecords()).length;

    // Act
    const completion = await storedClient(stack).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say hello' }],
    });

    // Assert: the answer, the upstream credential, and the record
    expect(completion.choices[0]?.message.content).toBe('Hello from the fake upstream.');
    expect(stack.openai.requests.at(-1)?.headers.authorization).toBe(
      `Bearer ${FAKE_OPENAI_API_KEY}`,
    );
    const record = await newestRecordAfter(stack, before);
    expect(record).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o-mini-2024-07-18',
      status: 200,
      inputTokens: 1000,
      cacheReadTokens: 500,
      cacheWriteTokens: 0,
      outputTokens: 200,
      totalTokens: 1700,
      streamed: false,
      cached: false,
      mode: 'stored',
    });
    // gpt-4o-mini: $0.15 in, $0.075 cached in, $0.60 out per million tokens, in pico-USD.
    expect(record?.costPicoUsd).toBe(1000n * 150_000n + 500n * 75_000n + 200n * 600_000n);
    expect(record?.errorSource).toBeUndefined();
  });

  it('streams in stored mode, asks upstream for usage, and hides the usage chunk it added', async ({
    stack,
  }) => {
    stack.openai.setScenario({ kind: 'ok', tokens: { inputTokens: 40, outputTokens: 6 } });
    const before = (await stack.settledRecords()).length;

    const stream = await storedClient(stack).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Stream please' }],
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(
      'Hello from the fake upstream.',
    );
    expect(chunks.every((c) => c.choices.length > 0)).toBe(true);
    expect(chunks.some((c) => c.usage)).toBe(false);
    expect(JSON.parse(stack.openai.requests.at(-1)?.body ?? '{}').stream_options).toEqual({
      include_usage: true,
    });
    const record = await newestRecordAfter(stack, before);
    expect(record).toMatchObject({ inputTokens: 40, outputTokens: 6, streamed: true, status: 200 });
    expect(record?.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
    // gpt-4o-mini: $0.15 in, $0.60 out per million tokens, in pico-USD.
    expect(record?.costPicoUsd).toBe(40n * 150_000n + 6n * 600_000n);
  });

  it('keeps the usage chunk when the caller asked for it', async ({ stack }) => {
    stack.openai.setScenario({ kind: 'ok', tokens: { inputTokens: 7, outputTokens: 3 } });
    const stream = await storedClient(stack).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'usage too' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const usageChunks = [];
    for await (const chunk of stream) if (chunk.usage) usageChunks.push(chunk.usage);
    expect(usageChunks).toEqual([
      expect.objectContaining({ prompt_tokens: 7, completion_tokens: 3 }),
    ]);
  });

  it('delivers the first chunk before the upstream has finished', async ({ stack }) => {
    const gate = createGate();
    stack.openai.setScenario({ kind: 'ok', hold: holdUntil(gate.opened, 2) });
    const stream = await storedClient(stack).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'first chunk' }],
      stream: true,
    });
    const iterator = stream[Symbol.asyncIterator]();
    // The upstream holds the rest of its answer until the gate opens, and the gate opens only
    // after this read: a proxy that buffered the stream would never deliver it (the test then
    // fails on its timeout), however long a busy machine takes.
    const first = await iterator.next();
    gate.open();
    expect(first.done).toBe(false);
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      // drain the rest so the request completes
    }
  });

  it('passes the caller own key through and names the account with x-metrion-token', async ({
    stack,
  }) => {
    stack.openai.setScenario({ kind: 'ok', tokens: { inputTokens: 10, outputTokens: 2 } });
    const before = (await stack.settledRecords()).length;
    const client = new OpenAI({
      apiKey: FAKE_OPENAI_API_KEY,
      baseURL: stack.metrion.proxyBaseUrls.openai.replace(/\/v1$/, ''),
      defaultHeaders: { 'x-metrion-token': stack.metrionKey, 'x-metrion-user': 'billing-agent' },
      maxRetries: 0,
    });
    const completion = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(completion.model).toBe('gpt-4o-2024-08-06');
    expect(stack.openai.requests.at(-1)?.headers.authorization).toBe(
      `Bearer ${FAKE_OPENAI_API_KEY}`,
    );
    const record = await newestRecordAfter(stack, before);
    expect(record).toMatchObject({
      mode: 'pass-through',
      requester: 'billing-agent',
      model: 'gpt-4o-2024-08-06',
    });
  });

  it('relays provider errors unchanged and records them as provider errors', async ({ stack }) => {
    stack.openai.setScenario({
      kind: 'error',
      status: 400,
      body: {
        error: {
          message: 'Invalid value for temperature',
          type: 'invalid_request_error',
          param: 'temperature',
          code: null,
        },
      },
    });
    const before = (await stack.settledRecords()).length;
    const failure = await storedClient(stack)
      .chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'x' }],
        temperature: 9,
      })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.BadRequestError);
    expect((failure as InstanceType<typeof OpenAI.BadRequestError>).message).toContain(
      'Invalid value for temperature',
    );
    const record = await newestRecordAfter(stack, before);
    expect(record).toMatchObject({
      status: 400,
      errorSource: 'provider',
      errorMessage: 'Invalid value for temperature',
    });
  });
});

describe('OpenAI SDK aborting a stream mid-way', () => {
  it('is recorded once with an estimated, non-zero cost after its first chunk', async ({
    stack,
  }) => {
    stack.openai.setScenario({
      kind: 'ok',
      chunkDelayMs: 150,
      pieces: Array.from({ length: 20 }, (_, i) => ` piece number ${i}`),
      tokens: { inputTokens: 40, outputTokens: 60 },
    });
    const before = (await stack.settledRecords()).length;

    const stream = await storedClient(stack).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Count the pieces, slowly, one by one' }],
      stream: true,
    });
    let chunks = 0;
    for await (const chunk of stream) {
      chunks += 1;
      if (chunk.choices[0]?.delta.content) {
        stream.controller.abort();
        break;
      }
    }

    expect(chunks).toBeGreaterThan(0);
    const [record] = await stack.waitForRecords(before + 1);
    expect(record).toMatchObject({
      provider: 'openai',
      streamed: true,
      estimated: true,
      errorMessage: 'Client disconnected before the stream ended.',
    });
    expect(record?.inputTokens).toBeGreaterThan(0);
    expect(record?.outputTokens).toBeGreaterThan(0);
    expect(record?.outputTokens).toBeLessThan(60);
    expect(record?.costPicoUsd).toBeGreaterThan(0n);
    // Every request's work has ended: no second record is still on its way.
    expect(await stack.settledRecords()).toHaveLength(before + 1);
  });

  it('is not estimated when the stream completes', async ({ stack }) => {
    stack.openai.setScenario({ kind: 'ok', tokens: { inputTokens: 40, outputTokens: 6 } });
    const before = (await stack.settledRecords()).length;

    const stream = await storedClient(stack).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Stream please' }],
      stream: true,
    });
    for await (const _chunk of stream) {
      // read to the end
    }

    const [record] = await stack.waitForRecords(before + 1);
    expect(record).toMatchObject({ inputTokens: 40, outputTokens: 6 });
    expect(record?.estimated).toBeUndefined();
  });
});
