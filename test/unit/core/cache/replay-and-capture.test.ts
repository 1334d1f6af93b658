import { describe, expect, it } from 'vitest';
import { replayAsSse } from '#core/cache/replay-stream.ts';
import { createStreamCapture } from '#core/cache/stream-capture.ts';
import type { WireFormat } from '#core/providers/provider-registry.ts';
import { createUsageAccumulator } from '#core/usage/extract-usage.ts';
import { createSseParser } from '#core/usage/sse-parser.ts';
import { everyTwoWaySplit, runThrough, text, utf8 } from '../usage/byte-helpers.ts';
import {
  ANTHROPIC_JSON,
  ANTHROPIC_STREAM,
  ANTHROPIC_STREAM_ERROR,
  GEMINI_JSON,
  GEMINI_STREAM,
  MISTRAL_STREAM,
  OPENAI_JSON,
  OPENAI_STREAM,
  XAI_JSON,
  XAI_STREAM,
} from '../usage/wire-fixtures.ts';

type Json = Record<string, unknown>;

async function capture(wireFormat: WireFormat, chunks: readonly Uint8Array[], max = 1 << 20) {
  const captured = createStreamCapture(wireFormat, max);
  const emitted = await runThrough(captured.transform, chunks);
  const result = captured.result();
  return {
    emitted: text(new Uint8Array(Buffer.concat(emitted))),
    json: result === undefined ? undefined : (JSON.parse(text(result)) as Json),
  };
}

function replay(wireFormat: WireFormat, json: string, includeUsage = true): string {
  const events = replayAsSse(wireFormat, utf8(json), includeUsage);
  if (events === undefined) throw new Error('not replayable');
  return events.join('');
}

function usageOfStream(wireFormat: WireFormat, body: string) {
  const accumulator = createUsageAccumulator(wireFormat);
  const parser = createSseParser();
  for (const event of [...parser.push(utf8(body)), ...parser.end()]) accumulator.addSseEvent(event);
  return accumulator.observation();
}

function usageOfJson(wireFormat: WireFormat, body: string) {
  const accumulator = createUsageAccumulator(wireFormat);
  accumulator.addJsonBody(body);
  return accumulator.observation();
}

const ANTHROPIC_TOOLS_JSON = JSON.stringify({
  id: 'msg_01Tools',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5-20250929',
  content: [
    { type: 'thinking', thinking: 'The user wants the weather.', signature: 'EqQBCgIYAhIM' },
    { type: 'text', text: 'Let me check.' },
    { type: 'tool_use', id: 'toolu_01A', name: 'get_weather', input: { city: 'Zürich', days: 2 } },
    { type: 'redacted_thinking', data: 'EmwKAhgBEgy3' },
  ],
  stop_reason: 'tool_use',
  stop_sequence: null,
  usage: {
    input_tokens: 472,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: 91,
  },
});

const OPENAI_TOOLS_JSON = JSON.stringify({
  id: 'chatcmpl-tools',
  object: 'chat.completion',
  created: 1741570283,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Zürich"}' },
          },
          { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } },
        ],
        refusal: null,
      },
      logprobs: null,
      finish_reason: 'tool_calls',
    },
  ],
  usage: { prompt_tokens: 80, completion_tokens: 30, total_tokens: 110 },
  system_fingerprint: 'fp_1',
});

describe('replayAsSse', () => {
  it.each([
    ['Anthropic text', 'anthropic', ANTHROPIC_JSON.body],
    ['Anthropic thinking, tool use and redacted blocks', 'anthropic', ANTHROPIC_TOOLS_JSON],
  ] as const)(
    'replays %s so that rebuilding the stream gives the same message',
    async (_name, wire, body) => {
      const replayed = replay(wire, body);
      const rebuilt = await capture(wire, [utf8(replayed)]);
      expect(rebuilt.json).toEqual(JSON.parse(body));
    },
  );

  it.each([
    ['OpenAI', OPENAI_JSON.body],
    ['Gemini', GEMINI_JSON.body],
    ['xAI', XAI_JSON.body],
    ['OpenAI tool calls', OPENAI_TOOLS_JSON],
  ])(
    'replays %s so that the rebuilt completion has the same choices and usage',
    async (_name, body) => {
      const original = JSON.parse(body) as Json;
      const rebuilt = (await capture('openai', [utf8(replay('openai', body))])).json;
      expect(rebuilt).toMatchObject({
        id: original.id,
        model: original.model,
        usage: original.usage,
        choices: (original.choices as Json[]).map((choice) => ({
          index: choice.index,
          finish_reason: choice.finish_reason,
          message: expect.objectContaining(
            Object.fromEntries(
              Object.entries(choice.message as Json).filter(
                ([field, value]) => typeof value === 'string' || field === 'tool_calls',
              ),
            ),
          ),
        })),
      });
    },
  );

  it.each([
    ['anthropic', ANTHROPIC_JSON.body],
    ['openai', OPENAI_JSON.body],
    ['openai', XAI_JSON.body],
  ] as const)('reports the same usage in the replayed %s stream as in the JSON', (wire, body) => {
    const fromStream = usageOfStream(wire, replay(wire, body));
    expect(fromStream).toEqual(usageOfJson(wire, body));
    expect(fromStream.sawTerminalEvent).toBe(true);
  });

  it('adds the usage-only chunk only when the caller asked for it', () => {
    const withUsage = replay('openai', OPENAI_JSON.body, true);
    const without = replay('openai', OPENAI_JSON.body, false);
    expect(withUsage).toContain('"choices":[],"usage"');
    expect(without).not.toContain('"usage"');
    expect(without.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('names every Anthropic event and ends with message_stop', () => {
    const events = replay('anthropic', ANTHROPIC_JSON.body).split('\n\n').filter(Boolean);
    expect(events.map((event) => event.split('\n')[0])).toEqual([
      'event: message_start',
      'event: content_block_start',
      'event: content_block_delta',
      'event: content_block_stop',
      'event: message_delta',
      'event: message_stop',
    ]);
  });

  it('refuses bodies that are not an answer of the wire format', () => {
    expect(replayAsSse('openai', utf8('not json'), false)).toBeUndefined();
    expect(replayAsSse('openai', utf8('{"object":"list"}'), false)).toBeUndefined();
    expect(replayAsSse('anthropic', utf8(OPENAI_JSON.body), false)).toBeUndefined();
  });
});

describe('createStreamCapture', () => {
  it.each([
    ['OpenAI', OPENAI_STREAM.body, 'Bonjour à vous ✨🚀', 'stop'],
    ['Gemini', GEMINI_STREAM.body, 'Das Wetter ist schön ☀️.', 'stop'],
    ['Mistral', MISTRAL_STREAM.body, 'Très bien, merci ! 🇫🇷', 'stop'],
    ['xAI', XAI_STREAM.body, '42', 'stop'],
  ])(
    'rebuilds the %s completion and passes every byte through',
    async (_name, body, content, finish) => {
      const { emitted, json } = await capture('openai', [utf8(body)]);

      expect(emitted).toBe(body);
      expect(json).toMatchObject({
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finish }],
      });
      expect(usageOfJson('openai', JSON.stringify(json)).usage).toEqual(
        usageOfStream('openai', body).usage,
      );
    },
  );

  it('keeps xAI reasoning text', async () => {
    const { json } = await capture('openai', [utf8(XAI_STREAM.body)]);
    expect(json).toMatchObject({
      choices: [{ message: { reasoning_content: 'Six times seven…', content: '42' } }],
    });
  });

  it('rebuilds an Anthropic message with final usage, in any split', async () => {
    const expected = {
      type: 'message',
      model: 'claude-sonnet-4-5-20250929',
      content: [{ type: 'text', text: 'Grüße aus Zürich 👋🏽 — 東京' }],
      stop_reason: 'end_turn',
      usage: expect.objectContaining({
        input_tokens: 21,
        output_tokens: 87,
        cache_read_input_tokens: 12020,
      }),
    };
    for (const chunks of everyTwoWaySplit(utf8(ANTHROPIC_STREAM.body)).filter(
      (_, i) => i % 7 === 0,
    )) {
      expect((await capture('anthropic', chunks)).json).toMatchObject(expected);
    }
  });

  it.each([
    ['an in-stream error', 'anthropic', ANTHROPIC_STREAM_ERROR.body],
    ['a stream cut before [DONE]', 'openai', OPENAI_STREAM.body.replace('data: [DONE]\n\n', '')],
    [
      'a stream cut before message_stop',
      'anthropic',
      ANTHROPIC_STREAM.body.split('event: message_delta')[0] ?? '',
    ],
    [
      'an unknown delta kind',
      'anthropic',
      ANTHROPIC_STREAM.body.replace('"type":"text_delta"', '"type":"hologram_delta"'),
    ],
    ['garbage', 'openai', 'data: {"id": "broken", "choices": [\n\ndata: [DONE]\n\n'],
  ] as const)('gives up on %s', async (_name, wire, body) => {
    const { emitted, json } = await capture(wire, [utf8(body)]);
    expect(emitted).toBe(body);
    expect(json).toBeUndefined();
  });

  it('gives up beyond its byte budget but keeps passing bytes through', async () => {
    const { emitted, json } = await capture('openai', [utf8(OPENAI_STREAM.body)], 100);
    expect(emitted).toBe(OPENAI_STREAM.body);
    expect(json).toBeUndefined();
  });
});
