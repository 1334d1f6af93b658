import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect } from 'vitest';
import type { ProviderId } from '#core/providers/provider-registry.ts';
import { FAKE_ANTHROPIC_API_KEY } from '../../fixtures/fake-anthropic-server.ts';
import { FAKE_OPENAI_API_KEY } from '../../fixtures/fake-openai-server.ts';
import { type ProxyStack, proxyStackTest } from '../support/proxy-stack.ts';

const GROK_REASONING_TOKENS = 268;
// Short configured timeouts stand in for the production 30 s (no test here answers slowly).
const TIMEOUT_MS = 400;

const it = proxyStackTest({
  providerFakes: true,
  grokReasoningTokens: GROK_REASONING_TOKENS,
  headerTimeoutMs: TIMEOUT_MS,
  idleTimeoutMs: TIMEOUT_MS,
});

interface ProviderCase {
  readonly provider: 'gemini' | 'mistral' | 'grok';
  readonly model: string;
  readonly upstreamPath: string;
  readonly tokens: { inputTokens: number; cacheReadTokens: number; outputTokens: number };
  /** What Metrion must record: disjoint counts and the exact cost in pico-USD. */
  readonly expected: { outputTokens: number; costPicoUsd: bigint };
}

// Prices per million tokens, in micro-USD = pico-USD per token:
// gemini-2.5-flash 0.30 in / 0.03 cached / 2.50 out; mistral-large 2 in / 6 out;
// grok-3-mini 0.30 in / 0.075 cached / 0.50 out (reasoning tokens billed as output).
const CASES: readonly ProviderCase[] = [
  {
    provider: 'gemini',
    model: 'gemini-2.5-flash',
    upstreamPath: '/v1beta/openai/chat/completions',
    tokens: { inputTokens: 1000, cacheReadTokens: 200, outputTokens: 300 },
    expected: {
      outputTokens: 300,
      costPicoUsd: 1000n * 300_000n + 200n * 30_000n + 300n * 2_500_000n,
    },
  },
  {
    provider: 'gemini',
    model: 'models/gemini-2.5-flash',
    upstreamPath: '/v1beta/openai/chat/completions',
    tokens: { inputTokens: 1000, cacheReadTokens: 200, outputTokens: 300 },
    expected: {
      outputTokens: 300,
      costPicoUsd: 1000n * 300_000n + 200n * 30_000n + 300n * 2_500_000n,
    },
  },
  {
    provider: 'mistral',
    model: 'mistral-large-latest',
    upstreamPath: '/v1/chat/completions',
    tokens: { inputTokens: 1000, cacheReadTokens: 0, outputTokens: 300 },
    expected: { outputTokens: 300, costPicoUsd: 1000n * 2_000_000n + 300n * 6_000_000n },
  },
  {
    provider: 'grok',
    model: 'grok-3-mini',
    upstreamPath: '/v1/chat/completions',
    tokens: { inputTokens: 1000, cacheReadTokens: 200, outputTokens: 300 },
    expected: {
      outputTokens: 300 + GROK_REASONING_TOKENS,
      costPicoUsd:
        1000n * 300_000n + 200n * 75_000n + BigInt(300 + GROK_REASONING_TOKENS) * 500_000n,
    },
  },
];

const VARIANTS = [
  { mode: 'stored', baseUrl: 'with /v1', streamed: false },
  { mode: 'stored', baseUrl: 'without /v1', streamed: true },
  { mode: 'pass-through', baseUrl: 'without /v1', streamed: false },
  { mode: 'pass-through', baseUrl: 'with /v1', streamed: true },
  { mode: 'stored', baseUrl: 'with /v1', streamed: true },
  { mode: 'pass-through', baseUrl: 'without /v1', streamed: true },
] as const;

function client(
  stack: ProxyStack,
  provider: ProviderId,
  mode: 'stored' | 'pass-through',
  baseUrl: 'with /v1' | 'without /v1',
  requester?: string,
): OpenAI {
  const withV1 = stack.metrion.proxyBaseUrls[provider];
  return new OpenAI({
    apiKey: mode === 'stored' ? stack.metrionKey : stack.upstreams[provider].apiKey,
    baseURL: baseUrl === 'with /v1' ? withV1 : withV1.replace(/\/v1$/, ''),
    defaultHeaders: {
      ...(mode === 'pass-through' ? { 'x-metrion-token': stack.metrionKey } : {}),
      ...(requester === undefined ? {} : { 'x-metrion-user': requester }),
    },
    maxRetries: 0,
  });
}

describe.each(CASES)('$provider ($model) through the official openai client', (providerCase) => {
  const { provider, model, tokens, expected } = providerCase;

  it.for(VARIANTS)(
    '$mode mode, base URL $baseUrl, stream: $streamed',
    async ({ mode, baseUrl, streamed }, { stack }) => {
      // Arrange
      const fake = stack.upstreams[provider];
      fake.setScenario({ kind: 'ok', tokens });
      const requester = `agent-${provider}-${mode}`;
      const openai = client(stack, provider, mode, baseUrl, requester);
      const request = { model, messages: [{ role: 'user' as const, content: 'Hello?' }] };

      // Act
      let text: string;
      let requestId: string | null;
      if (streamed) {
        const { data: stream, response } = await openai.chat.completions
          .create({ ...request, stream: true })
          .withResponse();
        const pieces: string[] = [];
        for await (const chunk of stream) pieces.push(chunk.choices[0]?.delta.content ?? '');
        text = pieces.join('');
        requestId = response.headers.get('x-metrion-request-id');
      } else {
        const { data: completion, response } = await openai.chat.completions
          .create(request)
          .withResponse();
        text = completion.choices[0]?.message.content ?? '';
        requestId = response.headers.get('x-metrion-request-id');
      }

      // Assert: the answer, what reached the provider, and the record
      expect(text).toBe('Hello from the fake upstream.');
      const upstream = fake.requests.at(-1);
      expect(upstream?.path).toBe(providerCase.upstreamPath);
      expect(upstream?.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
      expect(upstream?.headers['x-metrion-token']).toBeUndefined();
      expect(upstream?.headers['x-metrion-user']).toBeUndefined();
      expect(JSON.parse(upstream?.body ?? '{}').model).toBe(model);
      const record = await stack.recordFor(requestId);
      expect(record).toMatchObject({
        provider,
        model,
        mode,
        requester,
        streamed,
        status: 200,
        cached: false,
        inputTokens: tokens.inputTokens,
        cacheReadTokens: tokens.cacheReadTokens,
        outputTokens: expected.outputTokens,
      });
      expect(record?.costPicoUsd).toBe(expected.costPicoUsd);
      expect(record?.errorSource).toBeUndefined();
    },
  );

  it('relays the provider own error unchanged and records it', async ({ stack }) => {
    const fake = stack.upstreams[provider];
    const body =
      provider === 'gemini'
        ? [{ error: { code: 400, message: 'Model not found.', status: 'INVALID_ARGUMENT' } }]
        : provider === 'mistral'
          ? {
              object: 'error',
              message: 'Model not found.',
              type: 'invalid_model',
              param: null,
              code: '1500',
            }
          : { code: 'Client specified an invalid argument', error: 'Model not found.' };
    fake.setScenario({ kind: 'error', status: 400, body });
    const before = (await stack.settledRecords()).length;

    const response = await fetch(`${stack.metrion.proxyBaseUrls[provider]}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.metrionKey}` },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'x' }] }),
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(body);
    const [record] = await stack.waitForRecords(before + 1);
    expect(record).toMatchObject({ status: 400, errorSource: 'provider', model });
    expect(record?.errorMessage).toContain('Model not found.');
    fake.setScenario({ kind: 'ok' });
  });

  it('answers 504, 502 and a mid-stream SSE error when the provider delays, resets, garbles or stalls', async ({
    stack,
  }) => {
    // Arrange
    const fake = stack.upstreams[provider];
    const openai = client(stack, provider, 'stored', 'with /v1');
    const request = { model, messages: [{ role: 'user' as const, content: 'hi' }] };
    const statusOf = async (scenario: Parameters<typeof fake.setScenario>[0]) => {
      fake.setScenario(scenario);
      const failure = await openai.chat.completions
        .create(request)
        .catch((error: unknown) => error);
      return (failure as InstanceType<typeof OpenAI.APIError>).status;
    };

    // Act + Assert: before the first byte, a status
    expect(await statusOf({ kind: 'delayHeaders', ms: TIMEOUT_MS * 4 })).toBe(504);
    expect(await statusOf({ kind: 'reset' })).toBe(502);
    expect(await statusOf({ kind: 'garbage' })).toBe(502);

    // After the first byte, the OpenAI-shaped SSE error event the SDK raises
    fake.setScenario({ kind: 'stallAfterChunks', chunks: 2 });
    const before = (await stack.settledRecords()).length;
    const stream = await openai.chat.completions.create({ ...request, stream: true });
    const failure = await (async () => {
      for await (const _chunk of stream) {
        // read until the proxy closes the stalled stream
      }
    })().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect((failure as Error).message).toContain('sent nothing for 0.4 s');
    const [record] = await stack.waitForRecords(before + 1);
    expect(record).toMatchObject({ provider, status: 200, errorSource: 'metrion' });
    fake.setScenario({ kind: 'ok' });
  });
});

describe('requester tagging on the other providers', () => {
  it('records x-metrion-user for OpenAI and Anthropic, in both modes', async ({ stack }) => {
    const before = (await stack.settledRecords()).length;
    await new OpenAI({
      apiKey: FAKE_OPENAI_API_KEY,
      baseURL: stack.metrion.proxyBaseUrls.openai,
      defaultHeaders: {
        'x-metrion-token': stack.metrionKey,
        'x-metrion-user': 'workflow:nightly-report',
      },
      maxRetries: 0,
    }).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });
    await new Anthropic({
      apiKey: stack.metrionKey,
      baseURL: stack.metrion.proxyBaseUrls.anthropic,
      defaultHeaders: { 'x-metrion-user': 'user@example.com' },
      maxRetries: 0,
    }).messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 8,
      messages: [{ role: 'user', content: 'hi' }],
    });
    await new Anthropic({
      apiKey: FAKE_ANTHROPIC_API_KEY,
      baseURL: stack.metrion.proxyBaseUrls.anthropic,
      defaultHeaders: { 'x-metrion-token': stack.metrionKey, 'x-metrion-user': 'agent 7' },
      maxRetries: 0,
    }).messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 8,
      messages: [{ role: 'user', content: 'hi' }],
    });

    const records = await stack.waitForRecords(before + 3);
    expect(
      records.slice(0, 3).map((record) => [record.provider, record.mode, record.requester]),
    ).toEqual([
      ['anthropic', 'pass-through', 'agent 7'],
      ['anthropic', 'stored', 'user@example.com'],
      ['openai', 'pass-through', 'workflow:nightly-report'],
    ]);
    expect(stack.anthropic.requests.at(-1)?.headers['x-metrion-user']).toBeUndefined();
  });

  it.for([
    ['longer than 128 characters', 'x'.repeat(129)],
    ['not printable ASCII', 'agent\u00e9'],
  ])(
    'answers 400 when x-metrion-user is %s, on every provider',
    async ([_label, requester], { stack }) => {
      for (const provider of ['openai', 'gemini', 'mistral', 'grok'] as const) {
        const failure = await client(stack, provider, 'stored', 'with /v1')
          .chat.completions.create(
            { model: 'm', messages: [] },
            { headers: { 'x-metrion-user': requester } },
          )
          .catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(OpenAI.BadRequestError);
        expect((failure as Error).message).toContain('x-metrion-user must be printable ASCII');
      }
      const anthropicFailure = await new Anthropic({
        apiKey: stack.metrionKey,
        baseURL: stack.metrion.proxyBaseUrls.anthropic,
        maxRetries: 0,
      }).messages
        .create(
          { model: 'claude-haiku-4-5', max_tokens: 8, messages: [] },
          { headers: { 'x-metrion-user': requester } },
        )
        .catch((error: unknown) => error);
      expect(anthropicFailure).toBeInstanceOf(Anthropic.BadRequestError);
    },
  );

  it('accepts exactly 128 printable characters', async ({ stack }) => {
    const requester = `${'a'.repeat(120)} ~!@#$%^`;
    expect(requester).toHaveLength(128);
    const before = (await stack.settledRecords()).length;
    await client(stack, 'mistral', 'stored', 'with /v1', requester).chat.completions.create({
      model: 'mistral-large-latest',
      messages: [{ role: 'user', content: 'hi' }],
    });
    const [record] = await stack.waitForRecords(before + 1);
    expect(record?.requester).toBe(requester);
  });
});
