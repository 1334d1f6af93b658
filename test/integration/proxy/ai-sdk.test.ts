import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI, type OpenAIProvider } from '@ai-sdk/openai';
import Anthropic from '@anthropic-ai/sdk';
import { embed, generateText, type LanguageModel, streamText } from 'ai';
import { describe, expect } from 'vitest';
import { FAKE_COUNTED_INPUT_TOKENS } from '../../fixtures/fake-anthropic-server.ts';
import { type ProxyStack, proxyStackTest } from '../support/proxy-stack.ts';

// Issue 14: the Vercel AI SDK (`ai` with @ai-sdk/openai and @ai-sdk/anthropic) and the Anthropic
// SDK's token count, through the proxy. Each call is recorded once at the exact cost, and the
// streamed and non-streamed answers to the same prompt cost the same.

const it = proxyStackTest();

const TOKENS = { inputTokens: 1000, cacheReadTokens: 500, outputTokens: 200 };
// gpt-4o-mini: $0.15 in, $0.075 cached in, $0.60 out per million tokens, in pico-USD.
const OPENAI_COST = 1000n * 150_000n + 500n * 75_000n + 200n * 600_000n;

function openai(stack: ProxyStack) {
  return createOpenAI({ baseURL: stack.metrion.proxyBaseUrls.openai, apiKey: stack.metrionKey });
}

async function oneNewRecord(stack: ProxyStack, before: number) {
  const records = await stack.waitForRecords(before + 1);
  expect((await stack.settledRecords()).length).toBe(before + 1);
  return records[0];
}

describe('Vercel AI SDK through the proxy', () => {
  it.for<[string, string, (client: OpenAIProvider, modelId: string) => LanguageModel]>([
    ['default provider (Responses API)', '/v1/responses', (client, modelId) => client(modelId)],
    ['.chat (chat completions)', '/v1/chat/completions', (client, modelId) => client.chat(modelId)],
  ])('%s: generateText and streamText cost the same', async ([_name, path, model], { stack }) => {
    stack.openai.setScenario({ kind: 'ok', tokens: TOKENS });
    let before = (await stack.settledRecords()).length;

    const generated = await generateText({
      model: model(openai(stack), 'gpt-4o-mini'),
      prompt: 'Say hello',
      maxRetries: 0,
    });
    expect(generated.text).toBe('Hello from the fake upstream.');
    expect(stack.openai.requests.at(-1)?.path).toBe(path);
    const json = await oneNewRecord(stack, before);

    before = (await stack.settledRecords()).length;
    const streamed = streamText({
      model: model(openai(stack), 'gpt-4o-mini'),
      prompt: 'Say hello',
      maxRetries: 0,
    });
    let text = '';
    for await (const delta of streamed.textStream) text += delta;
    expect(text).toBe('Hello from the fake upstream.');
    const stream = await oneNewRecord(stack, before);

    expect(json).toMatchObject({
      provider: 'openai',
      streamed: false,
      inputTokens: 1000,
      cacheReadTokens: 500,
      outputTokens: 200,
    });
    expect(stream).toMatchObject({
      provider: 'openai',
      streamed: true,
      inputTokens: 1000,
      cacheReadTokens: 500,
      outputTokens: 200,
    });
    expect(json?.costPicoUsd).toBe(OPENAI_COST);
    expect(stream?.costPicoUsd).toBe(OPENAI_COST);
  });

  it('@ai-sdk/anthropic: generateText and streamText cost the same', async ({ stack }) => {
    const tokens = {
      inputTokens: 100,
      outputTokens: 50,
      cacheReadTokens: 1000,
      cacheWriteTokens: 200,
    };
    // claude-haiku-4-5: $1 in, $5 out, $0.10 cache read, $1.25 cache write per million tokens.
    const cost = 100n * 1_000_000n + 50n * 5_000_000n + 1000n * 100_000n + 200n * 1_250_000n;
    stack.anthropic.setScenario({ kind: 'ok', tokens });
    // The AI SDK appends `/messages` to its base URL, so its base is `<proxy>/v1`.
    const anthropic = createAnthropic({
      baseURL: `${stack.metrion.proxyBaseUrls.anthropic}/v1`,
      apiKey: stack.metrionKey,
    });
    let before = (await stack.settledRecords()).length;
    const generated = await generateText({
      model: anthropic('claude-haiku-4-5'),
      prompt: 'hi',
      maxRetries: 0,
    });
    expect(generated.text).toBe('Hello from the fake upstream.');
    const json = await oneNewRecord(stack, before);

    before = (await stack.settledRecords()).length;
    const streamed = streamText({
      model: anthropic('claude-haiku-4-5'),
      prompt: 'hi',
      maxRetries: 0,
    });
    let text = '';
    for await (const delta of streamed.textStream) text += delta;
    expect(text).toBe('Hello from the fake upstream.');
    const stream = await oneNewRecord(stack, before);

    expect(json).toMatchObject({ provider: 'anthropic', streamed: false, ...tokens });
    expect(stream).toMatchObject({ provider: 'anthropic', streamed: true, ...tokens });
    expect(json?.costPicoUsd).toBe(cost);
    expect(stream?.costPicoUsd).toBe(cost);
  });

  it('embed: records the embedding once, priced from its input tokens', async ({ stack }) => {
    stack.openai.setScenario({
      kind: 'ok',
      model: 'text-embedding-3-small',
      tokens: { inputTokens: 9 },
    });
    const before = (await stack.settledRecords()).length;
    const { embedding } = await embed({
      model: openai(stack).embedding('text-embedding-3-small'),
      value: 'sunny day at the beach',
      maxRetries: 0,
    });
    expect(embedding).toEqual([0.25, -0.5, 0.125]);
    expect(stack.openai.requests.at(-1)?.path).toBe('/v1/embeddings');
    const record = await oneNewRecord(stack, before);
    expect(record).toMatchObject({
      model: 'text-embedding-3-small',
      inputTokens: 9,
      outputTokens: 0,
    });
    // text-embedding-3-small: $0.02 per million tokens.
    expect(record?.costPicoUsd).toBe(9n * 20_000n);
  });
});

describe('Anthropic SDK messages.countTokens', () => {
  it('is passed through and not recorded as usage', async ({ stack }) => {
    const before = (await stack.settledRecords()).length;
    const client = new Anthropic({
      apiKey: stack.metrionKey,
      baseURL: stack.metrion.proxyBaseUrls.anthropic,
      maxRetries: 0,
    });
    const counted = await client.messages.countTokens({
      model: 'claude-haiku-4-5',
      messages: [{ role: 'user', content: 'How many tokens?' }],
    });
    expect(counted.input_tokens).toBe(FAKE_COUNTED_INPUT_TOKENS);
    const upstream = stack.anthropic.requests.at(-1);
    expect(upstream?.path).toBe('/v1/messages/count_tokens');
    expect(upstream?.headers['x-api-key']).toBe(stack.anthropic.apiKey);
    expect((await stack.settledRecords()).length).toBe(before);
  });
});
