import OpenAI from 'openai';
import { describe, expect } from 'vitest';
import { proxyStackTest, storedAnthropic, storedOpenAi } from '../support/proxy-stack.ts';

const it = proxyStackTest();

const messages = [{ role: 'user' as const, content: 'Say hello' }];

describe('x-metrion-cost-usd and x-metrion-request-id on proxied answers', () => {
  it('OpenAI JSON answer: the exact cost of the Logs row it names', async ({ stack }) => {
    stack.openai.setScenario({ kind: 'ok', tokens: { inputTokens: 1000, outputTokens: 200 } });

    const { response } = await storedOpenAi(stack)
      .chat.completions.create({ model: 'gpt-4o-mini', messages })
      .withResponse();

    // gpt-4o-mini: $0.15 per 1M input tokens, $0.60 per 1M output tokens:
    // 1,000 x $0.00000015 + 200 x $0.0000006 = $0.00015 + $0.00012
    const record = await stack.recordFor(response.headers.get('x-metrion-request-id'));
    expect(record.costPicoUsd).toBe(270_000_000n);
    expect(response.headers.get('x-metrion-cost-usd')).toBe('0.00027');
  });

  it('Anthropic JSON answer: the exact cost of the Logs row it names', async ({ stack }) => {
    stack.anthropic.setScenario({ kind: 'ok', tokens: { inputTokens: 300, outputTokens: 70 } });

    const { response } = await storedAnthropic(stack)
      .messages.create({ model: 'claude-haiku-4-5', max_tokens: 64, messages })
      .withResponse();

    // claude-haiku-4-5: $1 per 1M input tokens, $5 per 1M output tokens:
    // 300 x $0.000001 + 70 x $0.000005 = $0.0003 + $0.00035
    const record = await stack.recordFor(response.headers.get('x-metrion-request-id'));
    expect(record.costPicoUsd).toBe(650_000_000n);
    expect(response.headers.get('x-metrion-cost-usd')).toBe('0.00065');
  });

  it('a model without a price says `unpriced`', async ({ stack }) => {
    stack.openai.setScenario({ kind: 'ok', model: 'mystery-model-9' });

    const { response } = await storedOpenAi(stack)
      .chat.completions.create({ model: 'mystery-model-9', messages })
      .withResponse();

    const record = await stack.recordFor(response.headers.get('x-metrion-request-id'));
    expect(record.costPicoUsd).toBeNull();
    expect(response.headers.get('x-metrion-cost-usd')).toBe('unpriced');
    stack.openai.setScenario({ kind: 'ok' });
  });

  it('a cache hit costs `0`, streamed replay included', async ({ stack }) => {
    stack.openai.setScenario({ kind: 'ok' });
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'cost?' }] };
    const options = { headers: { 'x-metrion-cache': 'true' } };

    const miss = await storedOpenAi(stack).chat.completions.create(body, options).withResponse();
    const hit = await storedOpenAi(stack).chat.completions.create(body, options).withResponse();
    const replay = await storedOpenAi(stack)
      .chat.completions.create({ ...body, stream: true }, options)
      .withResponse();
    for await (const _chunk of replay.data) {
      // drain
    }

    expect(miss.response.headers.get('x-metrion-cost-usd')).toMatch(/^\d/);
    expect(miss.response.headers.get('x-metrion-cost-usd')).not.toBe('0');
    expect(hit.response.headers.get('x-metrion-cache')).toBe('HIT');
    expect(hit.response.headers.get('x-metrion-cost-usd')).toBe('0');
    expect(replay.response.headers.get('x-metrion-cost-usd')).toBe('0');
  });

  it('a live stream carries the request id but no cost header (its cost is in Logs)', async ({
    stack,
  }) => {
    stack.anthropic.setScenario({ kind: 'ok' });

    const { data, response } = await storedAnthropic(stack)
      .messages.create({ model: 'claude-haiku-4-5', max_tokens: 64, messages, stream: true })
      .withResponse();
    for await (const _event of data) {
      // drain
    }

    expect(response.headers.get('x-metrion-cost-usd')).toBeNull();
    const record = await stack.recordFor(response.headers.get('x-metrion-request-id'));
    expect(record.streamed).toBe(true);
    expect(record.costPicoUsd).not.toBeNull();
  });

  it('errors carry the request id of their Logs row and no cost (nothing billable)', async ({
    stack,
  }) => {
    stack.openai.setScenario({
      kind: 'error',
      status: 400,
      body: { error: { message: 'bad', type: 'invalid_request_error', code: null } },
    });

    const provider = await storedOpenAi(stack)
      .chat.completions.create({ model: 'gpt-4o-mini', messages })
      .catch((error: unknown) => error);
    stack.openai.setScenario({ kind: 'garbage' });
    const metrion = await storedOpenAi(stack)
      .chat.completions.create({ model: 'gpt-4o-mini', messages })
      .catch((error: unknown) => error);
    stack.openai.setScenario({ kind: 'ok' });

    for (const [error, status] of [
      [provider, 400],
      [metrion, 502],
    ] as const) {
      expect(error).toBeInstanceOf(OpenAI.APIError);
      const headers = (error as InstanceType<typeof OpenAI.APIError>).headers;
      expect(headers?.get('x-metrion-cost-usd')).toBeNull();
      const record = await stack.recordFor(headers?.get('x-metrion-request-id'));
      expect(record.status).toBe(status);
    }
  });
});
