import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_OPENAI_API_KEY } from '../../fixtures/fake-openai-server.ts';
import { type ProxyStack, startProxyStack } from '../support/proxy-stack.ts';

// Issue 14: the OpenAI Responses API, embeddings and the SDKs' model calls, with the official
// `openai` SDK. Gemini, Mistral and Grok have their own fakes here.
let stack: ProxyStack;

beforeAll(async () => {
  stack = await startProxyStack({ providerFakes: true });
});
afterAll(async () => {
  await stack?.close();
});

function client(provider: 'openai' | 'gemini' | 'mistral' | 'grok' = 'openai'): OpenAI {
  return new OpenAI({
    apiKey: stack.metrionKey,
    baseURL: stack.metrion.proxyBaseUrls[provider],
    maxRetries: 0,
  });
}

const TOKENS = { inputTokens: 1000, cacheReadTokens: 500, outputTokens: 200 };
// gpt-4o-mini: $0.15 in, $0.075 cached in, $0.60 out per million tokens, in pico-USD.
const COST = 1000n * 150_000n + 500n * 75_000n + 200n * 600_000n;

describe('OpenAI Responses API through the proxy', () => {
  it('answers responses.create (JSON), records it once at the exact cost, sends the cost header', async () => {
    stack.openai.setScenario({ kind: 'ok', tokens: TOKENS });
    const before = (await stack.settledRecords()).length;

    const { data, response } = await client()
      .responses.create({ model: 'gpt-4o-mini', input: 'Say hello' })
      .withResponse();

    expect(data.output_text).toBe('Hello from the fake upstream.');
    const upstream = stack.openai.requests.at(-1);
    expect(upstream?.path).toBe('/v1/responses');
    expect(upstream?.headers.authorization).toBe(`Bearer ${FAKE_OPENAI_API_KEY}`);
    const record = await stack.recordFor(response.headers.get('x-metrion-request-id'));
    expect(record).toMatchObject({
      provider: 'openai',
      kind: 'responses',
      model: 'gpt-4o-mini-2024-07-18',
      status: 200,
      inputTokens: 1000,
      cacheReadTokens: 500,
      outputTokens: 200,
      streamed: false,
      mode: 'stored',
    });
    expect(record.costPicoUsd).toBe(COST);
    expect(response.headers.get('x-metrion-cost-usd')).toBe('0.0003075');
    expect((await stack.settledRecords()).length).toBe(before + 1);
  });

  it('streams responses.create event by event without adding stream_options, at the same cost', async () => {
    stack.openai.setScenario({ kind: 'ok', tokens: TOKENS });
    const before = (await stack.settledRecords()).length;

    const stream = await client().responses.create({
      model: 'gpt-4o-mini',
      input: 'Stream please',
      stream: true,
    });
    const types: string[] = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
    }

    expect(text).toBe('Hello from the fake upstream.');
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    const sent = JSON.parse(stack.openai.requests.at(-1)?.body ?? '{}');
    expect(sent.stream_options).toBeUndefined();
    const records = await stack.waitForRecords(before + 1);
    expect(records[0]).toMatchObject({ streamed: true, status: 200, inputTokens: 1000 });
    expect(records[0]?.costPicoUsd).toBe(COST);
  });

  it('passes the stream through byte for byte', async () => {
    stack.openai.setScenario({ kind: 'ok' });
    const url = `${stack.metrion.proxyBaseUrls.openai}/responses`;
    const init = {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.metrionKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', input: 'bytes', stream: true }),
    };
    const viaProxy = await (await fetch(url, init)).text();
    // The fake's ids differ per call: compare the structure with ids masked.
    const mask = (text: string) =>
      text.replace(/(resp|msg)_[a-z0-9]+/g, '$1_x').replace(/"created_at":\d+/g, '');
    const direct = await (
      await fetch(`${stack.openai.origin}/v1/responses`, {
        ...init,
        headers: { ...init.headers, authorization: `Bearer ${FAKE_OPENAI_API_KEY}` },
      })
    ).text();
    expect(mask(viaProxy)).toBe(mask(direct));
  });

  it('works on Grok, with and without /v1, in pass-through mode with x-metrion-user', async () => {
    const grok = stack.upstreams.grok;
    grok.setScenario({ kind: 'ok', tokens: { inputTokens: 50, outputTokens: 10 } });
    const passThrough = new OpenAI({
      apiKey: grok.apiKey,
      baseURL: stack.metrion.proxyBaseUrls.grok.replace(/\/v1$/, ''),
      defaultHeaders: { 'x-metrion-token': stack.metrionKey, 'x-metrion-user': 'agent-7' },
      maxRetries: 0,
    });
    const { response } = await passThrough.responses
      .create({ model: 'grok-3-mini', input: 'hi' })
      .withResponse();
    expect(grok.requests.at(-1)?.path).toBe('/v1/responses');
    const record = await stack.recordFor(response.headers.get('x-metrion-request-id'));
    expect(record).toMatchObject({ provider: 'grok', mode: 'pass-through', requester: 'agent-7' });
    // grok-3-mini's published prices: $0.30 per 1M input tokens, $0.50 per 1M output tokens
    expect(record.costPicoUsd).toBe(50n * 300_000n + 10n * 500_000n);
  });

  it('refuses a body without input in the OpenAI envelope', async () => {
    const failure = await client()
      .responses.create({ model: 'gpt-4o-mini' } as unknown as Parameters<
        OpenAI['responses']['create']
      >[0])
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.BadRequestError);
    expect((failure as Error).message).toContain('`input` is required');
  });

  it('never serves /responses from the response cache', async () => {
    stack.openai.setScenario({ kind: 'ok' });
    const cached = new OpenAI({
      apiKey: stack.metrionKey,
      baseURL: stack.metrion.proxyBaseUrls.openai,
      defaultHeaders: { 'x-metrion-cache': 'true' },
      maxRetries: 0,
    });
    const calls = stack.openai.requests.length;
    for (let i = 0; i < 2; i += 1) {
      const { response } = await cached.responses
        .create({ model: 'gpt-4o-mini', input: 'same' })
        .withResponse();
      expect(response.headers.get('x-metrion-cache')).toBeNull();
    }
    expect(stack.openai.requests.length).toBe(calls + 2);
  });
});

describe('Embeddings through the proxy', () => {
  it.each([
    ['openai', 'text-embedding-3-small', '/v1/embeddings', 20_000n],
    ['gemini', 'gemini-embedding-001', '/v1beta/openai/embeddings', 150_000n],
    ['mistral', 'mistral-embed', '/v1/embeddings', 100_000n],
  ] as const)(
    'records %s embeddings.create priced from prompt_tokens',
    async (provider, model, path, rate) => {
      const upstream = stack.upstreams[provider];
      upstream.setScenario({ kind: 'ok', model, tokens: { inputTokens: 8 } });
      const { data, response } = await client(provider)
        .embeddings.create({ model, input: ['first', 'second'] })
        .withResponse();
      expect(data.data).toHaveLength(2);
      expect(data.data[0]?.embedding).toEqual([0.25, -0.5, 0.125]);
      expect(upstream.requests.at(-1)?.path).toBe(path);
      const record = await stack.recordFor(response.headers.get('x-metrion-request-id'));
      expect(record).toMatchObject({
        provider,
        kind: 'embeddings',
        model,
        inputTokens: 8,
        outputTokens: 0,
        status: 200,
      });
      expect(record.costPicoUsd).toBe(8n * rate);
    },
  );
});

describe('Model list and lookup', () => {
  it('passes models.list and models.retrieve through without recording usage', async () => {
    const before = (await stack.settledRecords()).length;
    const ids: string[] = [];
    for await (const model of client().models.list()) ids.push(model.id);
    expect(ids).toContain('gpt-4o-mini');
    expect((await client().models.retrieve('gpt-4o')).id).toBe('gpt-4o');
    const missing = await client()
      .models.retrieve('no-such-model')
      .catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect((await client('mistral').models.retrieve('gpt-4o-mini')).id).toBe('gpt-4o-mini');
    expect((await stack.settledRecords()).length).toBe(before);
  });

  it('still authenticates them', async () => {
    const stranger = new OpenAI({
      apiKey: 'sk-metrion-00000000000000000000000000000000',
      baseURL: stack.metrion.proxyBaseUrls.openai,
      maxRetries: 0,
    });
    await expect(stranger.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('keeps the clear 404 for any other path: what is not proxied, and what is', async () => {
    const response = await fetch(`${stack.metrion.proxyBaseUrls.openai}/files`, {
      headers: { authorization: `Bearer ${stack.metrionKey}` },
    });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(
      /^Metrion does not proxy \/api\/proxy\/openai\/v1\/files\. .* serves .*GET \/models/,
    );
  });
});
