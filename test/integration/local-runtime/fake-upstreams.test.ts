import { setTimeout as sleep } from 'node:timers/promises';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FAKE_ANTHROPIC_API_KEY,
  startFakeAnthropic,
} from '../../fixtures/fake-anthropic-server.ts';
import { FAKE_OPENAI_API_KEY, startFakeOpenAi } from '../../fixtures/fake-openai-server.ts';
import {
  createGate,
  type FakeUpstream,
  holdUntil,
  type Scenario,
} from '../../fixtures/fake-upstream-scenarios.ts';
import { readChunk, readRest } from './serve.ts';

const running: FakeUpstream[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((fake) => fake.close()));
});

async function openAiFake(scenario?: Scenario) {
  const fake = await startFakeOpenAi(scenario ? { scenario } : {});
  running.push(fake);
  return fake;
}

async function anthropicFake(scenario?: Scenario) {
  const fake = await startFakeAnthropic(scenario ? { scenario } : {});
  running.push(fake);
  return fake;
}

const messages = [{ role: 'user' as const, content: 'Say hello' }];
const tokens = { inputTokens: 100, outputTokens: 7, cacheReadTokens: 20, cacheWriteTokens: 30 };

function openAiClient(fake: FakeUpstream, path = '/v1', apiKey = FAKE_OPENAI_API_KEY) {
  return new OpenAI({ apiKey, baseURL: `${fake.origin}${path}`, maxRetries: 0 });
}

function anthropicClient(fake: FakeUpstream, apiKey = FAKE_ANTHROPIC_API_KEY) {
  return new Anthropic({ apiKey, baseURL: fake.origin, maxRetries: 0 });
}

describe('fake OpenAI, through the official openai client', () => {
  it('answers a chat completion with the dated model and exact usage', async () => {
    const fake = await openAiFake({ kind: 'ok', tokens });

    const completion = await openAiClient(fake).chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
    });

    expect(completion.model).toBe('gpt-4o-mini-2024-07-18');
    expect(completion.choices[0]?.message.content).toBe('Hello from the fake upstream.');
    expect(completion.usage).toMatchObject({
      prompt_tokens: 120,
      completion_tokens: 7,
      total_tokens: 127,
      prompt_tokens_details: { cached_tokens: 20 },
    });
    expect(fake.requests).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/v1/chat/completions',
        headers: expect.objectContaining({ authorization: `Bearer ${FAKE_OPENAI_API_KEY}` }),
      }),
    ]);
    expect(JSON.parse(fake.requests[0]?.body ?? '')).toMatchObject({ model: 'gpt-4o-mini' });
  });

  it('streams chunks and a final usage chunk with empty choices when include_usage is set', async () => {
    const fake = await openAiFake({ kind: 'ok', tokens, model: 'gpt-4.1-mini-2025-04-14' });

    const stream = await openAiClient(fake).chat.completions.create({
      model: 'gpt-4.1-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);

    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({ prompt_tokens: 120, completion_tokens: 7 });
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(
      'Hello from the fake upstream.',
    );
    expect(chunks[0]?.model).toBe('gpt-4.1-mini-2025-04-14');
  });

  it('sends no usage at all in a stream without include_usage', async () => {
    const fake = await openAiFake();

    const stream = await openAiClient(fake).chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.some((chunk) => 'usage' in chunk)).toBe(false);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
  });

  it("serves Gemini's OpenAI-compatible path", async () => {
    const fake = await openAiFake();

    const completion = await openAiClient(fake, '/v1beta/openai').chat.completions.create({
      model: 'gemini-2.5-flash',
      messages,
    });

    expect(completion.model).toBe('gemini-2.5-flash');
    expect(fake.requests[0]?.path).toBe('/v1beta/openai/chat/completions');
  });

  it("rejects a wrong key with OpenAI's 401 body, without echoing the key", async () => {
    const fake = await openAiFake();
    const wrongKey = 'sk-wrong-0123456789abcdefghijklmnop';

    const error = await openAiClient(fake, '/v1', wrongKey)
      .chat.completions.create({ model: 'gpt-4o-mini', messages })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_api_key' });
    expect(JSON.stringify(error)).not.toContain(wrongKey);
  });

  it('plays an error scenario as a typed SDK error', async () => {
    const fake = await openAiFake({
      kind: 'error',
      status: 429,
      body: { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit' } },
      headers: { 'retry-after': '3' },
    });

    const error = await openAiClient(fake)
      .chat.completions.create({ model: 'gpt-4o-mini', messages })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error).toMatchObject({ status: 429, code: 'rate_limit' });
  });

  it('relays an in-stream error event that the SDK raises', async () => {
    const fake = await openAiFake({ kind: 'errorMidStream', afterChunks: 2 });

    const stream = await openAiClient(fake).chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
    });
    const consume = async () => {
      for await (const _chunk of stream) {
        // drain
      }
    };

    await expect(consume()).rejects.toThrow(/error while processing your request/);
  });
});

describe('fake Anthropic, through the official @anthropic-ai/sdk client', () => {
  it('answers a message with the dated model and exact usage, accepting the SDK Bearer header', async () => {
    const fake = await anthropicFake({ kind: 'ok', tokens });

    const message = await anthropicClient(fake).messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      messages,
    });

    expect(message.model).toBe('claude-haiku-4-5-20251001');
    expect(message.content).toEqual([{ type: 'text', text: 'Hello from the fake upstream.' }]);
    expect(message.usage).toMatchObject({
      input_tokens: 100,
      output_tokens: 7,
      cache_read_input_tokens: 20,
      cache_creation_input_tokens: 30,
    });
    expect(fake.requests[0]?.headers).toMatchObject({
      authorization: `Bearer ${FAKE_ANTHROPIC_API_KEY}`,
      'anthropic-version': expect.any(String),
    });
  });

  it('streams the full event sequence that messages.stream() turns into a final message', async () => {
    const fake = await anthropicFake({ kind: 'ok', tokens });

    const stream = anthropicClient(fake).messages.stream({
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      messages,
    });
    const eventTypes: string[] = [];
    stream.on('streamEvent', (event) => eventTypes.push(event.type));
    const final = await stream.finalMessage();

    expect(final.usage).toMatchObject({
      input_tokens: 100,
      output_tokens: 7,
      cache_read_input_tokens: 20,
      cache_creation_input_tokens: 30,
    });
    expect(final.content).toEqual([{ type: 'text', text: 'Hello from the fake upstream.' }]);
    expect(final.stop_reason).toBe('end_turn');
    // The SDK drops `ping`; everything else arrives in the API's order.
    expect(eventTypes).toEqual([
      'message_start',
      'content_block_start',
      ...Array.from({ length: 6 }, () => 'content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it("accepts x-api-key and rejects a wrong key with Anthropic's 401 body", async () => {
    const fake = await anthropicFake();
    const headers = { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' };
    const body = JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 8, messages });

    const accepted = await fetch(`${fake.origin}/v1/messages`, {
      method: 'POST',
      headers: { ...headers, 'x-api-key': FAKE_ANTHROPIC_API_KEY },
      body,
    });
    const rejected = await anthropicClient(fake, 'sk-ant-wrong-key-000000000000000000')
      .messages.create({ model: 'claude-haiku-4-5', max_tokens: 8, messages })
      .catch((caught: unknown) => caught);

    expect(accepted.status).toBe(200);
    expect(rejected).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(rejected).toMatchObject({
      status: 401,
      error: { type: 'error', error: { type: 'authentication_error' } },
    });
  });

  it('requires anthropic-version, as the API does', async () => {
    const fake = await anthropicFake();

    const response = await fetch(`${fake.origin}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': FAKE_ANTHROPIC_API_KEY },
      body: JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 8, messages }),
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error' },
    });
  });

  it('sends an overloaded_error event mid-stream that messages.stream() raises', async () => {
    const fake = await anthropicFake({ kind: 'errorMidStream', afterChunks: 3 });

    const stream = anthropicClient(fake).messages.stream({
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      messages,
    });

    await expect(stream.finalMessage()).rejects.toThrow(/Overloaded/);
  });
});

describe('fake upstream scenarios, on the wire', () => {
  const streamRequest = (fake: FakeUpstream) =>
    fetch(`${fake.origin}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${FAKE_OPENAI_API_KEY}` },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages, stream: true }),
    });

  it('holds the stream at a gate, so the first chunk arrives before the upstream finishes', async () => {
    const gate = createGate();
    const fake = await openAiFake({ kind: 'ok', hold: holdUntil(gate.opened, 1) });

    const response = await streamRequest(fake);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await readChunk(reader);
    const next = reader.read();
    const blocked = await Promise.race([next.then(() => false), sleep(100).then(() => true)]);
    gate.open();
    const rest = new TextDecoder().decode((await next).value) + (await readRest(reader));

    expect(first).toMatch(/^data: \{.*"role":"assistant"/);
    expect(blocked).toBe(true);
    expect(rest.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('delays the response headers', async () => {
    const fake = await openAiFake({ kind: 'delayHeaders', ms: 150 });
    const startedAt = performance.now();

    const response = await streamRequest(fake);

    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(140);
    expect(response.status).toBe(200);
  });

  it('stalls after N chunks with the connection left open', async () => {
    const fake = await anthropicFake({ kind: 'stallAfterChunks', chunks: 2 });

    const response = await fetch(`${fake.origin}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': FAKE_ANTHROPIC_API_KEY, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 8, messages, stream: true }),
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!text.includes('event: content_block_start')) text += await readChunk(reader);
    const more = await Promise.race([
      reader.read().then(() => 'more'),
      sleep(150).then(() => 'stalled'),
    ]);

    expect(text).toMatch(/^event: message_start\n/);
    expect(text).not.toContain('event: ping');
    expect(more).toBe('stalled');
  });

  it('resets the connection before headers', async () => {
    const fake = await openAiFake({ kind: 'reset' });

    await expect(streamRequest(fake)).rejects.toThrow(/fetch failed/);
    expect(fake.requests).toHaveLength(1);
  });

  it('resets the connection mid-stream', async () => {
    const fake = await openAiFake({ kind: 'resetMidStream', afterChunks: 2 });

    const response = await streamRequest(fake);

    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow(/terminated/);
  });

  it('answers 200 with garbage that does not parse', async () => {
    const fake = await openAiFake({ kind: 'garbage' });

    const response = await fetch(`${fake.origin}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${FAKE_OPENAI_API_KEY}` },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages }),
    });
    const text = await response.text();

    expect(response.status).toBe(200);
    expect(() => JSON.parse(text)).toThrow();
  });

  it('switches scenarios between requests', async () => {
    const fake = await openAiFake();
    const client = openAiClient(fake);

    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    fake.setScenario({ kind: 'error', status: 503, body: { error: { message: 'down' } } });
    const error = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages })
      .catch((caught: unknown) => caught);

    expect(error).toMatchObject({ status: 503 });
    expect(fake.requests).toHaveLength(2);
  });
});
