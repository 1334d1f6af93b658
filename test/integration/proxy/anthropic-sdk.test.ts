import Anthropic from '@anthropic-ai/sdk';
import { describe, expect } from 'vitest';
import { FAKE_ANTHROPIC_API_KEY } from '../../fixtures/fake-anthropic-server.ts';
import { type ProxyStack, proxyStackTest } from '../support/proxy-stack.ts';

const it = proxyStackTest();

const CACHED_TOKENS = {
  inputTokens: 100,
  outputTokens: 50,
  cacheReadTokens: 1000,
  cacheWriteTokens: 200,
};
// claude-haiku-4-5: $1 in, $5 out, $0.10 cache read, $1.25 cache write per million tokens (pico-USD).
const CACHED_COST = 100n * 1_000_000n + 50n * 5_000_000n + 1000n * 100_000n + 200n * 1_250_000n;

async function newestRecordAfter(stack: ProxyStack, countBefore: number) {
  return (await stack.waitForRecords(countBefore + 1))[0];
}

describe('Anthropic SDK through the proxy', () => {
  it('answers in stored mode with the SDK default Bearer credential and prices cache tokens', async ({
    stack,
  }) => {
    stack.anthropic.setScenario({ kind: 'ok', tokens: CACHED_TOKENS });
    const before = (await stack.settledRecords()).length;
    const client = new Anthropic({
      apiKey: stack.metrionKey,
      baseURL: stack.metrion.proxyBaseUrls.anthropic,
      maxRetries: 0,
    });

    const message = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Say hello' }],
    });

    expect(message.content[0]).toMatchObject({
      type: 'text',
      text: 'Hello from the fake upstream.',
    });
    const upstream = stack.anthropic.requests.at(-1);
    expect(upstream?.headers['x-api-key']).toBe(FAKE_ANTHROPIC_API_KEY);
    expect(upstream?.headers.authorization).toBeUndefined();
    const record = await newestRecordAfter(stack, before);
    expect(record).toMatchObject({
      provider: 'anthropic',
      model: 'claude-haiku-4-5-20251001',
      ...CACHED_TOKENS,
      totalTokens: 1350,
      mode: 'stored',
      streamed: false,
    });
    expect(record?.costPicoUsd).toBe(CACHED_COST);
  });

  it('streams with messages.stream() and records the final usage once', async ({ stack }) => {
    stack.anthropic.setScenario({ kind: 'ok', tokens: CACHED_TOKENS, chunkDelayMs: 5 });
    const before = (await stack.settledRecords()).length;
    const client = new Anthropic({
      apiKey: stack.metrionKey,
      baseURL: stack.metrion.proxyBaseUrls.anthropic,
      maxRetries: 0,
    });

    const stream = client.messages.stream({
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Stream please' }],
    });
    const final = await stream.finalMessage();

    expect(final.usage.output_tokens).toBe(50);
    expect(final.content[0]).toMatchObject({ text: 'Hello from the fake upstream.' });
    const record = await newestRecordAfter(stack, before);
    expect(record).toMatchObject({ ...CACHED_TOKENS, streamed: true, status: 200 });
    expect(record?.costPicoUsd).toBe(CACHED_COST);
    expect(record?.timeToFirstTokenMs).toBeLessThanOrEqual(record?.latencyMs ?? -1);
    // Every request's work has ended: no second record is still on its way.
    expect(await stack.settledRecords()).toHaveLength(before + 1);
  });

  it('works in pass-through mode, forwarding the caller version and beta headers', async ({
    stack,
  }) => {
    stack.anthropic.setScenario({ kind: 'ok' });
    const before = (await stack.settledRecords()).length;
    const client = new Anthropic({
      apiKey: FAKE_ANTHROPIC_API_KEY,
      baseURL: stack.metrion.proxyBaseUrls.anthropic,
      defaultHeaders: {
        'x-metrion-token': stack.metrionKey,
        'anthropic-beta': 'prompt-caching-2024-07-31',
      },
      maxRetries: 0,
    });
    await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 8,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const upstream = stack.anthropic.requests.at(-1);
    expect(upstream?.headers['x-api-key']).toBe(FAKE_ANTHROPIC_API_KEY);
    expect(upstream?.headers['anthropic-beta']).toBe('prompt-caching-2024-07-31');
    expect(upstream?.headers['anthropic-version']).toBeTruthy();
    expect((await newestRecordAfter(stack, before))?.mode).toBe('pass-through');
  });

  it('accepts x-api-key from older clients on the route without /v1, defaulting anthropic-version', async ({
    stack,
  }) => {
    stack.anthropic.setScenario({ kind: 'ok' });
    const response = await fetch(`${stack.metrion.url}/api/proxy/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': stack.metrionKey },
      body: JSON.stringify({
        model: 'claude-haiku-4-5',
        max_tokens: 8,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    });
    expect(response.status).toBe(200);
    expect(stack.anthropic.requests.at(-1)?.headers['anthropic-version']).toBe('2023-06-01');
  });

  it('raises the SDK AuthenticationError for an unknown Metrion Key', async ({ stack }) => {
    const client = new Anthropic({
      apiKey: 'sk-metrion-00000000000000000000000000000000',
      baseURL: stack.metrion.proxyBaseUrls.anthropic,
      maxRetries: 0,
    });
    const failure = await client.messages
      .create({
        model: 'claude-haiku-4-5',
        max_tokens: 8,
        messages: [{ role: 'user', content: 'hi' }],
      })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((failure as InstanceType<typeof Anthropic.AuthenticationError>).error).toMatchObject({
      type: 'error',
      error: {
        type: 'authentication_error',
        message: expect.stringContaining('The API key is not a valid Metrion Key'),
      },
    });
  });
});

describe('Anthropic SDK aborting messages.stream() mid-way', () => {
  it('is recorded once, estimated: input from message_start, output counted', async ({ stack }) => {
    stack.anthropic.setScenario({
      kind: 'ok',
      chunkDelayMs: 150,
      pieces: Array.from({ length: 20 }, (_, i) => ` piece number ${i}`),
      tokens: { inputTokens: 40, outputTokens: 90 },
    });
    const before = (await stack.settledRecords()).length;
    const client = new Anthropic({
      apiKey: stack.metrionKey,
      baseURL: stack.metrion.proxyBaseUrls.anthropic,
      maxRetries: 0,
    });

    const stream = client.messages.stream({
      model: 'claude-haiku-4-5',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'Count the pieces, slowly' }],
    });
    const aborted = new Promise<void>((resolve) => {
      stream.on('text', () => {
        stream.abort();
        resolve();
      });
    });
    await aborted;
    await stream.done().catch(() => undefined);

    const [record] = await stack.waitForRecords(before + 1);
    expect(record).toMatchObject({
      provider: 'anthropic',
      streamed: true,
      estimated: true,
      inputTokens: 40,
      errorMessage: 'Client disconnected before the stream ended.',
    });
    expect(record?.outputTokens).toBeGreaterThan(0);
    expect(record?.outputTokens).toBeLessThan(90);
    expect(record?.costPicoUsd).toBeGreaterThan(0n);
    // Every request's work has ended: no second record is still on its way.
    expect(await stack.settledRecords()).toHaveLength(before + 1);
  });
});
