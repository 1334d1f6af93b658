import { createServer } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, vi } from 'vitest';
import { createGate } from '../../fixtures/fake-upstream-scenarios.ts';
import { type ProxyStack, proxyStackTest } from '../support/proxy-stack.ts';

// Short configured timeouts stand in for the production 30 s.
const HEADER_TIMEOUT_MS = 500;
const IDLE_TIMEOUT_MS = 500;

/** An origin on a port nothing listens on (connection refused). */
async function closedOrigin(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

const it = proxyStackTest({
  headerTimeoutMs: HEADER_TIMEOUT_MS,
  idleTimeoutMs: IDLE_TIMEOUT_MS,
  originOverrides: { grok: await closedOrigin() },
});

const openai = (stack: ProxyStack) =>
  new OpenAI({
    apiKey: stack.metrionKey,
    baseURL: stack.metrion.proxyBaseUrls.openai,
    maxRetries: 0,
  });
const anthropic = (stack: ProxyStack) =>
  new Anthropic({
    apiKey: stack.metrionKey,
    baseURL: stack.metrion.proxyBaseUrls.anthropic,
    maxRetries: 0,
  });
const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };
const message = {
  model: 'claude-haiku-4-5',
  max_tokens: 64,
  messages: [{ role: 'user' as const, content: 'hi' }],
};

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** Drains an SDK stream; returns the text received before it failed, and the failure. */
async function drain<T>(stream: AsyncIterable<T>, text: (item: T) => string) {
  const pieces: string[] = [];
  try {
    for await (const item of stream) pieces.push(text(item));
    return { received: pieces.join(''), failure: undefined };
  } catch (error) {
    return { received: pieces.join(''), failure: error };
  }
}

/** Waits for one more record, then checks that no second one follows (recorded exactly once). */
async function recordedOnce(stack: ProxyStack, before: number) {
  const [record] = await stack.waitForRecords(before + 1);
  await new Promise((resolve) => setTimeout(resolve, IDLE_TIMEOUT_MS + 100));
  expect(await stack.records()).toHaveLength(before + 1);
  return record;
}

describe('no response headers within the header timeout', () => {
  it('answers 504 to both SDKs without waiting for the upstream, and records it', async ({
    stack,
  }) => {
    // Arrange: both upstreams hold their headers until the test lets them go (after the act)
    const upstreamsAnswer = createGate();
    stack.openai.setScenario({ kind: 'holdHeaders', until: upstreamsAnswer.opened });
    stack.anthropic.setScenario({ kind: 'holdHeaders', until: upstreamsAnswer.opened });
    const before = (await stack.settledRecords()).length;
    const closedBefore = [stack.openai.closedEarly, stack.anthropic.closedEarly];

    // Act
    const [openAiFailure, anthropicFailure] = await Promise.all([
      failureOf(openai(stack).chat.completions.create(chat)),
      failureOf(anthropic(stack).messages.create(message)),
    ]);

    // Assert: answered while the upstreams still held their headers, and both were hung up on
    expect(openAiFailure).toBeInstanceOf(OpenAI.InternalServerError);
    expect((openAiFailure as InstanceType<typeof OpenAI.APIError>).status).toBe(504);
    expect((openAiFailure as Error).message).toContain('no response within 0.5 s');
    expect(anthropicFailure).toBeInstanceOf(Anthropic.InternalServerError);
    expect((anthropicFailure as InstanceType<typeof Anthropic.APIError>).status).toBe(504);
    await vi.waitFor(
      () =>
        expect([stack.openai.closedEarly, stack.anthropic.closedEarly]).toEqual(
          closedBefore.map((count) => count + 1),
        ),
      { timeout: 10_000 },
    );
    upstreamsAnswer.open();
    const records = await stack.waitForRecords(before + 2);
    expect(records.slice(0, 2).map((record) => [record.status, record.errorSource])).toEqual([
      [504, 'metrion'],
      [504, 'metrion'],
    ]);
  });

  it('does not cut a slow stream whose headers came in time', async ({ stack }) => {
    // About 1 s in all, twice the header timeout, with gaps far below the idle timeout.
    stack.openai.setScenario({ kind: 'ok', chunkDelayMs: 120 });
    const stream = await openai(stack).chat.completions.create({ ...chat, stream: true });
    const { received, failure } = await drain(stream, (c) => c.choices[0]?.delta.content ?? '');
    expect(failure).toBeUndefined();
    expect(received).toBe('Hello from the fake upstream.');
  });
});

describe('a stream that stalls', () => {
  it('is closed with the OpenAI SSE error event and recorded once', async ({ stack }) => {
    stack.openai.setScenario({ kind: 'stallAfterChunks', chunks: 3 });
    const before = (await stack.settledRecords()).length;

    const stream = await openai(stack).chat.completions.create({ ...chat, stream: true });
    const { received, failure } = await drain(stream, (c) => c.choices[0]?.delta.content ?? '');

    expect(received).toBe('Hello from');
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect((failure as Error).message).toContain('sent nothing for 0.5 s');
    const record = await recordedOnce(stack, before);
    expect(record).toMatchObject({ status: 200, streamed: true, errorSource: 'metrion' });
    expect(record?.errorMessage).toContain('Metrion closed the stream');
    expect(stack.openai.closedEarly).toBeGreaterThan(0);
  });

  it('is closed with the Anthropic error event, which messages.stream() raises', async ({
    stack,
  }) => {
    stack.anthropic.setScenario({ kind: 'stallAfterChunks', chunks: 4 });
    const before = (await stack.settledRecords()).length;

    const failure = await failureOf(anthropic(stack).messages.stream(message).finalMessage());

    expect(failure).toBeInstanceOf(Anthropic.APIError);
    expect((failure as Error).message).toContain('sent nothing for 0.5 s');
    const record = await recordedOnce(stack, before);
    // message_start had arrived, so the input tokens are known.
    expect(record).toMatchObject({ status: 200, errorSource: 'metrion', inputTokens: 12 });
  });

  it('answers 504 when a non-streamed body stops midway', async ({ stack }) => {
    stack.openai.setScenario({ kind: 'stallAfterChunks', chunks: 1 });
    const failure = await failureOf(openai(stack).chat.completions.create(chat));
    expect((failure as InstanceType<typeof OpenAI.APIError>).status).toBe(504);
    expect((failure as Error).message).toContain('stopped sending');
  });
});

describe('connection failures', () => {
  it('answers 502 when the provider refuses the connection', async ({ stack }) => {
    const before = (await stack.settledRecords()).length;
    const grok = new OpenAI({
      apiKey: stack.upstreams.grok.apiKey,
      baseURL: stack.metrion.proxyBaseUrls.grok,
      defaultHeaders: { 'x-metrion-token': stack.metrionKey },
      maxRetries: 0,
    });

    const failure = await failureOf(
      grok.chat.completions.create({ model: 'grok-3-mini', messages: chat.messages }),
    );

    expect((failure as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect((failure as Error).message).toContain('could not connect to the provider');
    expect((failure as Error).message).not.toContain('127.0.0.1');
    const [record] = await stack.waitForRecords(before + 1);
    expect(record).toMatchObject({ provider: 'grok', status: 502, errorSource: 'metrion' });
  });

  it('answers 502 when Anthropic resets the connection before answering', async ({ stack }) => {
    stack.anthropic.setScenario({ kind: 'reset' });
    const failure = await failureOf(anthropic(stack).messages.create(message));
    expect(failure).toBeInstanceOf(Anthropic.InternalServerError);
    expect((failure as InstanceType<typeof Anthropic.APIError>).status).toBe(502);
  });

  it.for([
    ['OpenAI', 'openai'],
    ['Anthropic', 'anthropic'],
  ] as const)(
    'ends a %s stream reset midway with an SSE error event and records it once',
    async ([_name, provider], { stack }) => {
      stack[provider].setScenario({ kind: 'resetMidStream', afterChunks: 3 });
      const before = (await stack.settledRecords()).length;

      const failure =
        provider === 'openai'
          ? (
              await drain(
                await openai(stack).chat.completions.create({ ...chat, stream: true }),
                () => '',
              )
            ).failure
          : await failureOf(anthropic(stack).messages.stream(message).finalMessage());

      expect((failure as Error).message).toContain('broke mid-stream');
      const record = await recordedOnce(stack, before);
      expect(record).toMatchObject({ status: 200, streamed: true, errorSource: 'metrion' });
    },
  );
});

describe('answers that cannot be parsed', () => {
  it('answers 502 to both SDKs for a non-streamed body that is not JSON', async ({ stack }) => {
    stack.openai.setScenario({ kind: 'garbage' });
    stack.anthropic.setScenario({ kind: 'garbage' });
    const before = (await stack.settledRecords()).length;

    const openAiFailure = await failureOf(openai(stack).chat.completions.create(chat));
    const anthropicFailure = await failureOf(anthropic(stack).messages.create(message));

    expect((openAiFailure as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect((openAiFailure as Error).message).toContain(
      'OpenAI returned a response Metrion could not read',
    );
    expect((anthropicFailure as InstanceType<typeof Anthropic.APIError>).status).toBe(502);
    const records = await stack.waitForRecords(before + 2);
    expect(records.slice(0, 2).every((record) => record.status === 502)).toBe(true);
  });

  it('relays a garbled stream as sent and records that it could not be read', async ({ stack }) => {
    stack.openai.setScenario({ kind: 'garbage' });
    const before = (await stack.settledRecords()).length;

    const response = await fetch(`${stack.metrion.proxyBaseUrls.openai}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.metrionKey}` },
      body: JSON.stringify({ ...chat, stream: true }),
    });

    expect(response.status).toBe(200);
    expect(await response.text()).toBe('data: {"id": "broken", "choices": [\n\n');
    const [record] = await stack.waitForRecords(before + 1);
    expect(record).toMatchObject({ errorSource: 'provider', streamed: true });
    expect(record?.errorMessage).toContain('could not read');
  });
});

describe('provider errors', () => {
  it('passes an in-stream provider error through and records it as the provider one', async ({
    stack,
  }) => {
    stack.anthropic.setScenario({ kind: 'errorMidStream', afterChunks: 3 });
    const before = (await stack.settledRecords()).length;

    const failure = await failureOf(anthropic(stack).messages.stream(message).finalMessage());

    expect(failure).toBeInstanceOf(Anthropic.APIError);
    expect((failure as Error).message).toContain('Overloaded');
    const record = await recordedOnce(stack, before);
    expect(record).toMatchObject({ errorSource: 'provider', errorMessage: 'Overloaded' });
  });

  it.for([429, 500, 503])(
    'passes a provider %i through unchanged, with Retry-After',
    async (status, { stack }) => {
      const body = {
        error: {
          message: `upstream says ${status}`,
          type: 'server_error',
          param: null,
          code: null,
        },
      };
      stack.openai.setScenario({ kind: 'error', status, body, headers: { 'retry-after': '7' } });

      const response = await fetch(`${stack.metrion.proxyBaseUrls.openai}/chat/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${stack.metrionKey}`,
        },
        body: JSON.stringify(chat),
      });

      expect(response.status).toBe(status);
      expect(response.headers.get('retry-after')).toBe('7');
      expect(await response.json()).toEqual(body);
    },
  );
});

describe('the caller disconnecting mid-stream', () => {
  it('aborts the upstream request and records the partial usage exactly once', async ({
    stack,
  }) => {
    // Arrange: a long, slow stream (20 pieces, 150 ms apart); the proxy notices the hang-up
    // when the next piece arrives
    stack.anthropic.setScenario({
      kind: 'ok',
      chunkDelayMs: 150,
      pieces: Array.from({ length: 20 }, (_, i) => ` piece${i}`),
      tokens: { inputTokens: 40, outputTokens: 20 },
    });
    const before = (await stack.settledRecords()).length;
    const closedBefore = stack.anthropic.closedEarly;
    const controller = new AbortController();

    // Act: read the first bytes, then hang up
    const response = await fetch(`${stack.metrion.proxyBaseUrls.anthropic}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': stack.metrionKey },
      body: JSON.stringify({ ...message, stream: true }),
      signal: controller.signal,
    });
    const reader = response.body?.getReader();
    await reader?.read();
    controller.abort();

    // Assert: the proxy hung up on the upstream before it had finished (closedEarly counts only
    // unfinished responses), and one record holds what was known
    const [record] = await stack.waitForRecords(before + 1);
    await vi.waitFor(() => expect(stack.anthropic.closedEarly).toBe(closedBefore + 1), {
      timeout: 10_000,
    });
    expect(record).toMatchObject({
      status: 200,
      streamed: true,
      errorSource: 'metrion',
      errorMessage: 'Client disconnected before the stream ended.',
      inputTokens: 40,
      estimated: true,
    });
    expect(record?.costPicoUsd).toBeGreaterThan(0n);
    // Every request's work has ended: no second record is still on its way.
    expect(await stack.settledRecords()).toHaveLength(before + 1);
  });
});
