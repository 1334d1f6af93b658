import { describe, expect, it } from 'vitest';
import { type MaxCostPricing, maxRequestCost } from '#core/budgets/max-cost.ts';
import { BUNDLED_PRICES } from '#core/pricing/bundled-prices.ts';
import { parseProxyRequest } from '#core/proxy/parse-proxy-request.ts';
import { usageRouteAt } from '../../../fixtures/usage-route.ts';

const AT_MS = Date.parse('2026-12-05T10:00:00Z');

/**
 * Round prices in pico-USD per token, so every expectation is a hand sum: input 1, output 4,
 * cache write 2 (dearer than input), cache read 0; the `priority` tier costs 3 times as much.
 */
function pricing(contextWindow?: number, tiers: readonly string[] = []): MaxCostPricing {
  return {
    computeCost: (_provider, model, usage, _atMs, serviceTier) => ({
      costPicoUsd:
        model === 'unpriced-model'
          ? null
          : BigInt(usage.inputTokens + 4 * usage.outputTokens + 2 * usage.cacheWriteTokens) *
            (serviceTier === 'priority' ? 3n : 1n),
      priceVersion: 'test',
    }),
    contextWindow: () => contextWindow,
    serviceTiers: () => tiers,
  };
}

function bound(path: string, json: Record<string, unknown>, prices = pricing()) {
  const body = new TextEncoder().encode(JSON.stringify(json));
  const parsed = parseProxyRequest(
    {
      requestId: 'req-1',
      method: 'POST',
      path,
      headers: {},
      body,
      receivedAtMs: AT_MS,
      receivedAtMonotonicMs: 0,
    },
    usageRouteAt(path),
  );
  return {
    maxCost: maxRequestCost(parsed, body.byteLength, AT_MS, prices),
    bytes: body.byteLength,
  };
}

const CHAT = '/api/proxy/openai/v1/chat/completions';
const MESSAGES = '/api/proxy/v1/messages';
/** Chat-format tokens added to the body's bytes. */
const FORMAT = 256;

describe('maxRequestCost', () => {
  it('bounds input by the body bytes (as cache writes, the dearer) and output by max_tokens', () => {
    const json = {
      model: 'claude-x',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hé' }],
    };
    const { maxCost, bytes } = bound(MESSAGES, json);
    expect(maxCost).toEqual({ kind: 'bounded', picoUsd: BigInt(2 * (bytes + FORMAT) + 4 * 100) });
  });

  it('takes the larger of max_tokens and max_completion_tokens, times n choices', () => {
    const json = {
      model: 'gpt-x',
      max_tokens: 10,
      max_completion_tokens: 50,
      n: 3,
      messages: [{ role: 'user', content: 'hi' }],
    };
    const { maxCost, bytes } = bound(CHAT, json);
    expect(maxCost).toEqual({ kind: 'bounded', picoUsd: BigInt(2 * (bytes + FORMAT) + 4 * 150) });
  });

  it('bounds output by the context window without a cap, and input by it too', () => {
    const json = { model: 'gpt-x', messages: [{ role: 'user', content: 'x'.repeat(5_000) }] };
    expect(bound(CHAT, json, pricing(1_000)).maxCost).toEqual({
      kind: 'bounded',
      picoUsd: BigInt(2 * 1_000 + 4 * 1_000),
    });
  });

  it('cannot bound output without a cap or a known context window', () => {
    const json = { model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] };
    const { maxCost, bytes } = bound(CHAT, json);
    expect(maxCost).toEqual({
      kind: 'unbounded',
      partialPicoUsd: BigInt(2 * (bytes + FORMAT)),
      reason: expect.stringContaining('send max_tokens'),
    });
  });

  it('counts an image as its maximum tokens, not its bytes', () => {
    const image = `data:image/png;base64,${'A'.repeat(20_000)}`;
    const json = {
      model: 'gpt-x',
      max_tokens: 10,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is it?' },
            { type: 'image_url', image_url: { url: image } },
          ],
        },
      ],
    };
    const { maxCost, bytes } = bound(CHAT, json);
    // The part's strings ('image_url' and the data URL) leave the byte count; 50,000 replace them.
    const input = bytes - image.length - 'image_url'.length + 50_000 + FORMAT;
    expect(maxCost).toEqual({ kind: 'bounded', picoUsd: BigInt(2 * input + 4 * 10) });
  });

  it('adds the tool prompt a provider inserts when tools are defined', () => {
    const tools = [{ type: 'function', function: { name: 'f', parameters: {} } }];
    const json = {
      model: 'gpt-x',
      max_tokens: 1,
      tools,
      messages: [{ role: 'user', content: 'a' }],
    };
    const { maxCost, bytes } = bound(CHAT, json);
    expect(maxCost).toEqual({ kind: 'bounded', picoUsd: BigInt(2 * (bytes + FORMAT + 1_024) + 4) });
  });

  it('adds no tool prompt for an empty tool list', () => {
    const json = {
      model: 'gpt-x',
      max_tokens: 1,
      tools: [],
      messages: [{ role: 'user', content: 'a' }],
    };
    const { maxCost, bytes } = bound(CHAT, json);
    expect(maxCost).toEqual({ kind: 'bounded', picoUsd: BigInt(2 * (bytes + FORMAT) + 4) });
  });

  it('bounds a plain-text document by its bytes, but not a PDF, and says why', () => {
    const withDocument = (source: Record<string, unknown>) =>
      bound(MESSAGES, {
        model: 'claude-x',
        max_tokens: 1,
        messages: [{ role: 'user', content: [{ type: 'document', source }] }],
      });
    const text = withDocument({ type: 'text', media_type: 'text/plain', data: 'notes' });
    const pdf = withDocument({ type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' });
    const url = withDocument({ type: 'url', url: 'https://example.com/a.pdf' });

    expect(text.maxCost).toEqual({
      kind: 'bounded',
      picoUsd: BigInt(2 * (text.bytes + FORMAT) + 4),
    });
    for (const { maxCost, bytes } of [pdf, url]) {
      expect(maxCost).toEqual({
        kind: 'unbounded',
        partialPicoUsd: BigInt(2 * (bytes + FORMAT) + 4),
        reason: 'the request has a document (PDF), whose tokens Metrion cannot count',
      });
    }
  });

  it('cannot bound input stored at the provider or a file, and says which', () => {
    const responses = bound('/api/proxy/openai/v1/responses', {
      model: 'gpt-x',
      max_output_tokens: 5,
      input: 'more',
      previous_response_id: 'resp_1',
    }).maxCost;
    expect(responses).toMatchObject({
      kind: 'unbounded',
      reason: expect.stringContaining('previous_response_id'),
    });
    const file = bound(CHAT, {
      model: 'gpt-x',
      max_tokens: 5,
      messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-1' } }] }],
    }).maxCost;
    expect(file).toMatchObject({ kind: 'unbounded', reason: expect.stringContaining('file') });
  });

  it('prices the default tier when the request asks for it, and counts n: 0 as one choice', () => {
    const json = {
      model: 'gpt-x',
      max_tokens: 10,
      n: 0,
      service_tier: 'default',
      messages: [{ role: 'user', content: 'hi' }],
    };
    const { maxCost, bytes } = bound(CHAT, json, pricing(undefined, ['priority']));
    expect(maxCost).toEqual({ kind: 'bounded', picoUsd: BigInt(2 * (bytes + FORMAT) + 4 * 10) });
  });

  it('counts the strings an image part holds in a list as the image too', () => {
    const json = {
      model: 'gpt-x',
      max_tokens: 10,
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: ['abcd'] } }] }],
    };
    const { maxCost, bytes } = bound(CHAT, json);
    const input = bytes - 'abcd'.length - 'image_url'.length + 50_000 + FORMAT;
    expect(maxCost).toEqual({ kind: 'bounded', picoUsd: BigInt(2 * input + 4 * 10) });
  });

  it('bounds a request whose stored-input field is null, and ignores n outside OpenAI', () => {
    const responses = bound('/api/proxy/openai/v1/responses', {
      model: 'gpt-x',
      max_output_tokens: 5,
      input: 'more',
      previous_response_id: null,
    });
    const messages = bound(MESSAGES, {
      model: 'claude-x',
      max_tokens: 10,
      n: 3,
      messages: [{ role: 'user', content: 'hi' }],
    });

    expect(responses.maxCost).toEqual({
      kind: 'bounded',
      picoUsd: BigInt(2 * (responses.bytes + FORMAT) + 4 * 5),
    });
    expect(messages.maxCost).toEqual({
      kind: 'bounded',
      picoUsd: BigInt(2 * (messages.bytes + FORMAT) + 4 * 10),
    });
  });

  it('prices the dearest tier whatever order the tiers are listed in', () => {
    const json = { model: 'gpt-x', max_tokens: 10, messages: [] };
    const { maxCost, bytes } = bound(CHAT, json, pricing(undefined, ['priority', 'flex']));
    expect(maxCost).toEqual({ kind: 'bounded', picoUsd: 3n * BigInt(2 * (bytes + FORMAT) + 40) });
  });

  it('bounds embeddings by their input alone', () => {
    const json = { model: 'text-embedding-x', input: ['a', 'b'] };
    const { maxCost, bytes } = bound('/api/proxy/openai/v1/embeddings', json);
    expect(maxCost).toEqual({ kind: 'bounded', picoUsd: BigInt(2 * (bytes + FORMAT)) });
  });

  it('prices the dearest service tier unless the request names one', () => {
    const json = { model: 'gpt-x', max_tokens: 10, messages: [] };
    const auto = bound(CHAT, json, pricing(undefined, ['flex', 'priority']));
    const flex = bound(
      CHAT,
      { ...json, service_tier: 'flex' },
      pricing(undefined, ['flex', 'priority']),
    );
    expect(auto.maxCost).toEqual({
      kind: 'bounded',
      picoUsd: BigInt(3 * (2 * (auto.bytes + FORMAT) + 40)),
    });
    expect(flex.maxCost).toEqual({
      kind: 'bounded',
      picoUsd: BigInt(2 * (flex.bytes + FORMAT) + 40),
    });
  });

  it('is unpriced for a model without a price', () => {
    const json = { model: 'unpriced-model', max_tokens: 5, messages: [] };
    expect(bound(CHAT, json).maxCost).toEqual({ kind: 'unpriced' });
  });

  it('prices with the price data: Claude Haiku 4.5 at $1 in, $2 for 1-hour cache writes, $5 out per MTok', () => {
    const json = {
      model: 'claude-haiku-4-5',
      max_tokens: 1_000,
      messages: [{ role: 'user', content: 'hi' }],
    };
    const { maxCost, bytes } = bound(MESSAGES, json, BUNDLED_PRICES);
    // 1-hour cache writes at $2/MTok = 2,000,000 pico-USD per token are the dearest input.
    expect(maxCost).toEqual({
      kind: 'bounded',
      picoUsd: BigInt(bytes + FORMAT) * 2_000_000n + 1_000n * 5_000_000n,
    });
  });
});
