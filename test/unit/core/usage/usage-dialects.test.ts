import { describe, expect, it } from 'vitest';
import { unlistedOutputTokens } from '#core/usage/dialects/openai-usage.ts';
import { createUsageAccumulator, type UsageFormat } from '#core/usage/extract-usage.ts';
import { createSseParser } from '#core/usage/sse-parser.ts';
import { utf8 } from './byte-helpers.ts';

function observeJson(format: UsageFormat, body: unknown) {
  const accumulator = createUsageAccumulator(format);
  accumulator.addJsonBody(JSON.stringify(body));
  return accumulator.observation();
}

function observeEvents(format: UsageFormat, events: readonly unknown[]) {
  const parser = createSseParser();
  const accumulator = createUsageAccumulator(format);
  const text = events.map((event) => `data: ${JSON.stringify(event)}\n\n`).join('');
  for (const event of [...parser.push(utf8(text)), ...parser.end()]) {
    accumulator.addSseEvent(event);
  }
  return accumulator.observation();
}

describe('Anthropic cache-write lifetimes', () => {
  const creation = (fiveMinute: number, oneHour: number) => ({
    cache_creation_input_tokens: fiveMinute + oneHour,
    cache_creation: { ephemeral_5m_input_tokens: fiveMinute, ephemeral_1h_input_tokens: oneHour },
  });

  it('splits the writes of a JSON answer into 5-minute and 1-hour counts', () => {
    const observed = observeJson('anthropic', {
      model: 'claude-sonnet-4-5',
      usage: { input_tokens: 10, output_tokens: 5, ...creation(300, 700) },
    });
    expect(observed.usage).toEqual({
      inputTokens: 10,
      outputTokens: 5,
      cacheReadTokens: 0,
      cacheWriteTokens: 1000,
      cacheWrite5mTokens: 300,
      cacheWrite1hTokens: 700,
    });
  });

  it('keeps the split of message_start when the final delta repeats only the sum', () => {
    const observed = observeEvents('anthropic', [
      { type: 'message_start', message: { usage: { input_tokens: 10, ...creation(0, 2048) } } },
      {
        type: 'message_delta',
        usage: { input_tokens: 10, cache_creation_input_tokens: 2048, output_tokens: 90 },
      },
    ]);
    expect(observed.usage).toMatchObject({ cacheWrite5mTokens: 0, cacheWrite1hTokens: 2048 });
  });

  it('takes the split the final delta states over the one message_start stated', () => {
    const observed = observeEvents('anthropic', [
      { type: 'message_start', message: { usage: { input_tokens: 10, ...creation(100, 0) } } },
      { type: 'message_delta', usage: { output_tokens: 9, ...creation(100, 400) } },
    ]);
    expect(observed.usage).toMatchObject({
      cacheWriteTokens: 500,
      cacheWrite5mTokens: 100,
      cacheWrite1hTokens: 400,
    });
  });

  it('reports no split when the answer has none (every write has the default lifetime)', () => {
    const observed = observeJson('anthropic', {
      usage: { input_tokens: 1, output_tokens: 1, cache_creation_input_tokens: 64 },
    });
    expect(observed.usage).toEqual({
      inputTokens: 1,
      outputTokens: 1,
      cacheReadTokens: 0,
      cacheWriteTokens: 64,
    });
  });

  it('never lets the 1-hour part exceed the writes it is part of', () => {
    const observed = observeJson('anthropic', {
      usage: {
        input_tokens: 1,
        output_tokens: 1,
        cache_creation_input_tokens: 100,
        cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 250 },
      },
    });
    expect(observed.usage).toMatchObject({
      cacheWriteTokens: 100,
      cacheWrite5mTokens: 0,
      cacheWrite1hTokens: 100,
    });
  });
});

describe('OpenAI-format cache writes', () => {
  it('takes chat cache_write_tokens out of the input as cache writes', () => {
    const observed = observeJson('openai', {
      model: 'gpt-5.6-sol',
      usage: {
        prompt_tokens: 10_000,
        completion_tokens: 100,
        total_tokens: 10_100,
        prompt_tokens_details: { cached_tokens: 4_000, cache_write_tokens: 5_000 },
      },
    });
    expect(observed.usage).toEqual({
      inputTokens: 1_000,
      outputTokens: 100,
      cacheReadTokens: 4_000,
      cacheWriteTokens: 5_000,
    });
  });

  it('takes Responses API cache_write_tokens out of the input as cache writes', () => {
    const observed = observeJson('openai-responses', {
      object: 'response',
      status: 'completed',
      usage: {
        input_tokens: 3_000,
        input_tokens_details: { cached_tokens: 0, cache_write_tokens: 2_500 },
        output_tokens: 10,
        total_tokens: 3_010,
      },
    });
    expect(observed.usage).toEqual({
      inputTokens: 500,
      outputTokens: 10,
      cacheReadTokens: 0,
      cacheWriteTokens: 2_500,
    });
  });

  it('never counts more cache tokens than the prompt has', () => {
    const observed = observeJson('openai', {
      usage: {
        prompt_tokens: 100,
        completion_tokens: 1,
        prompt_tokens_details: { cached_tokens: 80, cache_write_tokens: 50 },
      },
    });
    expect(observed.usage).toMatchObject({
      inputTokens: 0,
      cacheReadTokens: 80,
      cacheWriteTokens: 20,
    });
  });
});

describe('service tiers', () => {
  it('reads the tier an OpenAI chat answer names, JSON and stream alike', () => {
    expect(observeJson('openai', { service_tier: 'flex', usage: {} }).serviceTier).toBe('flex');
    const streamed = observeEvents('openai', [
      { service_tier: 'priority', choices: [{ delta: { content: 'x' } }] },
      { service_tier: 'priority', choices: [], usage: { prompt_tokens: 1 } },
    ]);
    expect(streamed.serviceTier).toBe('priority');
  });

  it('reads the tier of a Responses API answer, JSON and stream alike', () => {
    const response = { object: 'response', status: 'completed', service_tier: 'flex', usage: {} };
    expect(observeJson('openai-responses', response).serviceTier).toBe('flex');
    const streamed = observeEvents('openai-responses', [
      { type: 'response.created', response: { service_tier: 'auto' } },
      { type: 'response.completed', response: { ...response, service_tier: 'flex' } },
    ]);
    expect(streamed.serviceTier).toBe('flex');
  });

  it("reads Anthropic's tier from the usage", () => {
    const observed = observeJson('anthropic', {
      usage: { input_tokens: 1, output_tokens: 1, service_tier: 'priority' },
    });
    expect(observed.serviceTier).toBe('priority');
  });

  it('lower-cases a tier and ignores one that is not a short word', () => {
    expect(observeJson('openai', { service_tier: 'Flex', usage: {} }).serviceTier).toBe('flex');
    for (const odd of ['', 'x'.repeat(33), 'flex tier', 42, null]) {
      expect(observeJson('openai', { service_tier: odd, usage: {} }).serviceTier).toBeUndefined();
    }
  });
});

describe('reasoning the output count leaves out', () => {
  it.each([
    ['OpenAI: reasoning inside completion_tokens', 1000, 540, 1540, 448, 0],
    ['xAI: reasoning_tokens outside completion_tokens', 700, 3, 1023, 320, 320],
    ['Gemini: thoughts only in total_tokens', 21, 8, 89, 0, 60],
    ['no total_tokens', 100, 10, undefined, 40, 0],
    ['a total too small for the reasoning reported', 100, 10, 149, 40, 0],
    ['a total with room beyond the reasoning reported', 100, 10, 160, 40, 40],
  ])('%s', (_case, input, output, total, reasoning, expected) => {
    expect(unlistedOutputTokens({ total, input, output, reasoning })).toBe(expected);
  });

  it("adds Gemini's unitemised thoughts to a chat answer's output", () => {
    const observed = observeJson('openai', {
      model: 'gemini-2.5-flash',
      usage: { prompt_tokens: 21, completion_tokens: 8, total_tokens: 89 },
    });
    expect(observed.usage.outputTokens).toBe(68);
  });
});
