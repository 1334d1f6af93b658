import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WireFormat } from '#core/providers/provider-registry.ts';
import {
  createUsageAccumulator,
  type SseEventKind,
  type UsageObservation,
} from '#core/usage/extract-usage.ts';
import { createSseParser, type SseEvent } from '#core/usage/sse-parser.ts';
import type { TokenUsage } from '#core/usage/usage-record.ts';
import { utf8 } from './byte-helpers.ts';
import {
  ANTHROPIC_STREAM,
  JSON_FIXTURES,
  MISTRAL_STREAM,
  OPENAI_STREAM,
  STREAM_FIXTURES,
  XAI_STREAM,
} from './wire-fixtures.ts';

const NO_USAGE: TokenUsage = {
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
};

const usage = (counts: Partial<TokenUsage>): TokenUsage => ({ ...NO_USAGE, ...counts });

function eventsOf(body: string): SseEvent[] {
  const parser = createSseParser();
  return [...parser.push(utf8(body)), ...parser.end()];
}

function observeStream(wireFormat: WireFormat, body: string): UsageObservation {
  const accumulator = createUsageAccumulator(wireFormat);
  for (const event of eventsOf(body)) accumulator.addSseEvent(event);
  return accumulator.observation();
}

function observeJson(wireFormat: WireFormat, body: string): UsageObservation {
  const accumulator = createUsageAccumulator(wireFormat);
  accumulator.addJsonBody(body);
  return accumulator.observation();
}

const anthropicEvent = (type: string, body: Record<string, unknown>): SseEvent => ({
  event: type,
  data: JSON.stringify({ type, ...body }),
});

const openAiData = (body: unknown): SseEvent => ({ data: JSON.stringify(body) });

describe('createUsageAccumulator', () => {
  it('observes nothing before anything is fed', () => {
    expect(createUsageAccumulator('openai').observation()).toEqual({
      usage: NO_USAGE,
      unparseable: false,
      sawTerminalEvent: false,
    });
  });

  describe.each(STREAM_FIXTURES)('stream: $name', (fixture) => {
    it('observes the model, usage, error and end the stream reports', () => {
      expect(observeStream(fixture.wireFormat, fixture.body)).toEqual(fixture.expected);
    });
  });

  describe.each(JSON_FIXTURES)('JSON: $name', (fixture) => {
    it('observes the model, usage and error the body reports', () => {
      expect(observeJson(fixture.wireFormat, fixture.body)).toEqual(fixture.expected);
    });
  });

  it('returns snapshots that later events do not change', () => {
    const accumulator = createUsageAccumulator('anthropic');
    const [start, ...rest] = eventsOf(ANTHROPIC_STREAM.body);
    if (start === undefined) throw new Error('fixture has no events');
    accumulator.addSseEvent(start);
    const early = accumulator.observation();
    for (const event of rest) accumulator.addSseEvent(event);
    expect(early.usage.outputTokens).toBe(2);
    expect(early.sawTerminalEvent).toBe(false);
    expect(accumulator.observation().usage.outputTokens).toBe(87);
  });
});

describe('Anthropic', () => {
  const start = (usageCounts: Record<string, unknown>): SseEvent =>
    anthropicEvent('message_start', {
      message: { model: 'claude-opus-4-1-20250805', usage: usageCounts },
    });

  it('keeps usage read so far when the stream stops before message_stop', () => {
    const accumulator = createUsageAccumulator('anthropic');
    accumulator.addSseEvent(
      start({ input_tokens: 50, cache_read_input_tokens: 7, output_tokens: 1 }),
    );
    accumulator.addSseEvent(anthropicEvent('message_delta', { usage: { output_tokens: 30 } }));
    expect(accumulator.observation()).toEqual({
      model: 'claude-opus-4-1-20250805',
      usage: usage({ inputTokens: 50, cacheReadTokens: 7, outputTokens: 30 }),
      unparseable: false,
      sawTerminalEvent: false,
    });
  });

  it('takes the cumulative output_tokens of the last message_delta instead of adding them up', () => {
    const accumulator = createUsageAccumulator('anthropic');
    accumulator.addSseEvent(start({ input_tokens: 10, output_tokens: 1 }));
    accumulator.addSseEvent(anthropicEvent('message_delta', { usage: { output_tokens: 40 } }));
    accumulator.addSseEvent(anthropicEvent('message_delta', { usage: { output_tokens: 95 } }));
    expect(accumulator.observation().usage).toEqual(usage({ inputTokens: 10, outputTokens: 95 }));
  });

  it('takes the latest non-null input and cache counts a message_delta repeats', () => {
    const accumulator = createUsageAccumulator('anthropic');
    accumulator.addSseEvent(
      start({
        input_tokens: 10,
        cache_creation_input_tokens: 100,
        cache_read_input_tokens: 0,
        output_tokens: 1,
      }),
    );
    accumulator.addSseEvent(
      anthropicEvent('message_delta', {
        usage: {
          input_tokens: 12,
          cache_creation_input_tokens: null,
          cache_read_input_tokens: 900,
          output_tokens: 60,
        },
      }),
    );
    expect(accumulator.observation().usage).toEqual({
      inputTokens: 12,
      outputTokens: 60,
      cacheReadTokens: 900,
      cacheWriteTokens: 100,
    });
  });

  it('classifies events and marks only message_stop as terminal', () => {
    const accumulator = createUsageAccumulator('anthropic');
    const kinds = eventsOf(ANTHROPIC_STREAM.body).map((event) => accumulator.addSseEvent(event));
    expect(kinds).toEqual<SseEventKind[]>([
      'other',
      'other',
      'other',
      'other',
      'other',
      'other',
      'other',
      'terminal',
    ]);
  });

  it('reads the message of an error event', () => {
    const accumulator = createUsageAccumulator('anthropic');
    const kind = accumulator.addSseEvent(
      anthropicEvent('error', { error: { type: 'api_error', message: 'Internal server error' } }),
    );
    expect(kind).toBe('error');
    expect(accumulator.observation().providerError).toBe('Internal server error');
  });

  it('falls back to the error type, then to a fixed text, when an error has no message', () => {
    expect(
      observeJson('anthropic', '{"type":"error","error":{"type":"overloaded_error"}}'),
    ).toMatchObject({ providerError: 'overloaded_error' });
    const accumulator = createUsageAccumulator('anthropic');
    accumulator.addSseEvent({ event: 'error', data: '{}' });
    expect(accumulator.observation().providerError).toBe(
      'The provider reported an error without a message.',
    );
  });

  it('ignores usage counts that are not non-negative integers', () => {
    const accumulator = createUsageAccumulator('anthropic');
    accumulator.addSseEvent(start({ input_tokens: 10, output_tokens: 1 }));
    accumulator.addSseEvent(
      anthropicEvent('message_delta', {
        usage: { input_tokens: -3, output_tokens: '40', cache_read_input_tokens: 1.5 },
      }),
    );
    expect(accumulator.observation().usage).toEqual(usage({ inputTokens: 10, outputTokens: 1 }));
  });
});

describe('OpenAI-compatible', () => {
  const usageBody = (counts: Record<string, unknown>): string =>
    JSON.stringify({ model: 'm', choices: [], usage: counts });

  it('subtracts cached tokens from the prompt so the counts stay disjoint', () => {
    expect(
      observeJson(
        'openai',
        usageBody({
          prompt_tokens: 1000,
          completion_tokens: 20,
          total_tokens: 1020,
          prompt_tokens_details: { cached_tokens: 768 },
        }),
      ).usage,
    ).toEqual(usage({ inputTokens: 232, cacheReadTokens: 768, outputTokens: 20 }));
  });

  it('adds reasoning tokens to the output only when total_tokens shows they are outside completion_tokens', () => {
    const outside = {
      prompt_tokens: 100,
      completion_tokens: 10,
      total_tokens: 150,
      completion_tokens_details: { reasoning_tokens: 40 },
    };
    const inside = { ...outside, completion_tokens: 50, total_tokens: 150 };
    expect(observeJson('openai', usageBody(outside)).usage.outputTokens).toBe(50);
    expect(observeJson('openai', usageBody(inside)).usage.outputTokens).toBe(50);
  });

  it('does not add reasoning tokens when total_tokens is missing or does not add up', () => {
    const base = { prompt_tokens: 100, completion_tokens: 10 };
    const details = { completion_tokens_details: { reasoning_tokens: 40 } };
    expect(observeJson('openai', usageBody({ ...base, ...details })).usage.outputTokens).toBe(10);
    expect(
      observeJson('openai', usageBody({ ...base, ...details, total_tokens: 149 })).usage
        .outputTokens,
    ).toBe(10);
  });

  it('never reports negative input tokens when cached_tokens exceeds prompt_tokens', () => {
    expect(
      observeJson(
        'openai',
        usageBody({
          prompt_tokens: 5,
          completion_tokens: 1,
          prompt_tokens_details: { cached_tokens: 9 },
        }),
      ).usage,
    ).toEqual(usage({ inputTokens: 0, cacheReadTokens: 5, outputTokens: 1 }));
  });

  it('treats a null cached_tokens as zero', () => {
    expect(
      observeJson(
        'openai',
        usageBody({
          prompt_tokens: 5,
          completion_tokens: 1,
          total_tokens: 6,
          prompt_tokens_details: { cached_tokens: null },
        }),
      ).usage,
    ).toEqual(usage({ inputTokens: 5, outputTokens: 1 }));
  });

  it('classifies the usage-only chunk and [DONE], and nothing else, specially', () => {
    const accumulator = createUsageAccumulator('openai');
    const kinds = eventsOf(OPENAI_STREAM.body).map((event) => accumulator.addSseEvent(event));
    expect(kinds).toEqual<SseEventKind[]>([
      'other',
      'other',
      'other',
      'other',
      'usage-only',
      'terminal',
    ]);
    const xai = createUsageAccumulator('openai');
    expect(eventsOf(XAI_STREAM.body).map((event) => xai.addSseEvent(event))).toContain(
      'usage-only',
    );
  });

  it('does not classify a chunk that carries usage next to choices as usage-only', () => {
    const accumulator = createUsageAccumulator('openai');
    const kinds = eventsOf(MISTRAL_STREAM.body).map((event) => accumulator.addSseEvent(event));
    expect(kinds).not.toContain('usage-only');
    expect(accumulator.observation().usage).toEqual(MISTRAL_STREAM.expected.usage);
  });

  it('does not classify a chunk with empty choices and null usage as usage-only', () => {
    const accumulator = createUsageAccumulator('openai');
    expect(accumulator.addSseEvent(openAiData({ model: 'm', choices: [], usage: null }))).toBe(
      'other',
    );
  });

  it('replaces the usage with each later usage object instead of summing', () => {
    const accumulator = createUsageAccumulator('openai');
    accumulator.addSseEvent(
      openAiData({
        choices: [{}],
        usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 },
      }),
    );
    accumulator.addSseEvent(
      openAiData({
        choices: [{}],
        usage: { prompt_tokens: 9, completion_tokens: 8, total_tokens: 17 },
      }),
    );
    expect(accumulator.observation().usage).toEqual(usage({ inputTokens: 9, outputTokens: 8 }));
  });

  it('keeps the last non-empty model name', () => {
    const accumulator = createUsageAccumulator('openai');
    accumulator.addSseEvent(openAiData({ model: 'gpt-4.1-2025-04-14', choices: [] }));
    accumulator.addSseEvent(openAiData({ model: '', choices: [] }));
    expect(accumulator.observation().model).toBe('gpt-4.1-2025-04-14');
  });

  it('reads an error object sent as SSE data', () => {
    const accumulator = createUsageAccumulator('openai');
    const kind = accumulator.addSseEvent(
      openAiData({
        error: {
          message: 'The server had an error while processing your request.',
          type: 'server_error',
        },
      }),
    );
    expect(kind).toBe('error');
    expect(accumulator.observation().providerError).toBe(
      'The server had an error while processing your request.',
    );
  });

  it('does not record a structured Mistral message, which can echo the prompt', () => {
    const body = JSON.stringify({
      object: 'error',
      message: {
        detail: [{ type: 'missing', msg: 'Field required', input: { secret: 'prompt' } }],
      },
      type: 'invalid_request_error',
    });
    const observation = observeJson('openai', body);
    expect(observation.providerError).toBe('The provider reported an error without a message.');
    expect(JSON.stringify(observation)).not.toContain('prompt');
  });

  it('ends at [DONE] even with surrounding whitespace', () => {
    const accumulator = createUsageAccumulator('openai');
    expect(accumulator.addSseEvent({ data: ' [DONE] ' })).toBe('terminal');
    expect(accumulator.observation().sawTerminalEvent).toBe(true);
  });

  it('treats [DONE] as unparseable in the Anthropic format', () => {
    const accumulator = createUsageAccumulator('anthropic');
    expect(accumulator.addSseEvent({ data: '[DONE]' })).toBe('unparseable');
    expect(accumulator.observation()).toMatchObject({ unparseable: true, sawTerminalEvent: false });
  });
});

describe('unreadable input', () => {
  it.each<[string, string]>([
    ['HTML from a gateway', '<html><body>502 Bad Gateway</body></html>'],
    ['an empty body', ''],
    ['truncated JSON', '{"model":"gpt-4o","usage":{"prompt_tokens":1'],
    ['a JSON number', '42'],
    ['JSON null', 'null'],
    ['a JSON string', '"ok"'],
    ['an array that is not an error', '[1,2]'],
  ])('marks %s as unparseable without usage', (_name, body) => {
    for (const wireFormat of ['anthropic', 'openai'] as const) {
      expect(observeJson(wireFormat, body)).toEqual({
        usage: NO_USAGE,
        unparseable: true,
        sawTerminalEvent: false,
      });
    }
  });

  it('marks a stream event with non-JSON data as unparseable but keeps reading', () => {
    const accumulator = createUsageAccumulator('openai');
    expect(accumulator.addSseEvent({ data: 'not json' })).toBe('unparseable');
    accumulator.addSseEvent(
      openAiData({
        choices: [],
        usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
      }),
    );
    expect(accumulator.observation()).toEqual({
      usage: usage({ inputTokens: 3, outputTokens: 4 }),
      unparseable: true,
      sawTerminalEvent: false,
    });
  });

  it('ignores events with empty data', () => {
    const accumulator = createUsageAccumulator('anthropic');
    expect(accumulator.addSseEvent({ data: '' })).toBe('other');
    expect(accumulator.observation().unparseable).toBe(false);
  });

  it('never throws on arbitrary event data or bodies', () => {
    const jsonish = fc.oneof(
      fc.string(),
      fc.json(),
      fc.jsonValue().map((value) => JSON.stringify({ usage: value, choices: [], model: value })),
      fc.jsonValue().map((value) => JSON.stringify({ type: 'message_delta', usage: value })),
      fc.jsonValue().map((value) => JSON.stringify({ error: value })),
      fc.jsonValue().map((value) => JSON.stringify([{ error: value }])),
    );
    fc.assert(
      fc.property(
        fc.constantFrom<WireFormat>('anthropic', 'openai'),
        fc.array(fc.record({ event: fc.string(), data: jsonish })),
        jsonish,
        (wireFormat, events, body) => {
          const accumulator = createUsageAccumulator(wireFormat);
          for (const event of events) accumulator.addSseEvent(event);
          accumulator.addJsonBody(body);
          const { usage: counts } = accumulator.observation();
          for (const count of Object.values(counts)) {
            expect(Number.isSafeInteger(count) && count >= 0).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
