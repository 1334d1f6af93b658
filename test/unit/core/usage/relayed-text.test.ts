import { describe, expect, it } from 'vitest';
import { GptTokenizerCounter } from '#adapters/tokenizer/gpt-tokenizer-counter.ts';
import { approximateInputTokens, estimateUsage } from '#core/usage/estimate-usage.ts';
import { createRelayedText, requestText } from '#core/usage/relayed-text.ts';
import { createUsageTap } from '#core/usage/usage-tap.ts';
import { WordTokenCounter } from '../../../fakes/word-token-counter.ts';
import { cutAt, everyTwoWaySplit, runThrough, utf8 } from './byte-helpers.ts';
import {
  ANTHROPIC_STREAM,
  GEMINI_STREAM,
  MISTRAL_STREAM,
  OPENAI_STREAM,
  type StreamFixture,
  XAI_STREAM,
} from './wire-fixtures.ts';

const sse = (data: unknown, event?: string): string =>
  `${event === undefined ? '' : `event: ${event}\n`}data: ${JSON.stringify(data)}\n\n`;

/** Everything but the provider's final usage (and what follows it): a dropped stream. */
function cutBeforeUsage(fixture: StreamFixture): string {
  const marker = fixture.wireFormat === 'anthropic' ? 'event: message_delta' : '"usage":{';
  const at = fixture.body.indexOf(marker);
  const eventStart = fixture.body.lastIndexOf('\n\n', at);
  return fixture.body.slice(0, eventStart + 2);
}

const RELAYED: readonly (readonly [StreamFixture, string])[] = [
  [ANTHROPIC_STREAM, 'Grüße aus Zürich 👋🏽 — 東京'],
  [OPENAI_STREAM, 'Bonjour à vous ✨🚀'],
  [GEMINI_STREAM, 'Das Wetter ist schön ☀️.'],
  [MISTRAL_STREAM, 'Très bien, merci ! 🇫🇷'],
  [XAI_STREAM, 'Six times seven…42'],
];

async function relayedThroughTap(fixture: StreamFixture, chunks: readonly Uint8Array[]) {
  const tap = createUsageTap({
    wireFormat: fixture.wireFormat,
    streamed: true,
    stripUsageOnlyChunk: fixture.wireFormat === 'openai',
  });
  await runThrough(tap.transform, chunks);
  return tap.relayed;
}

describe('the relayed text of a stream', () => {
  it.each(RELAYED)('collects the output text of $name at any split', async (fixture, expected) => {
    const whole = utf8(fixture.body);
    for (const chunks of everyTwoWaySplit(whole)) {
      const relayed = await relayedThroughTap(fixture, chunks);
      expect(relayed.text()).toBe(expected);
      expect(relayed.usageReported()).toBe(true);
    }
  });

  // Gemini reports cumulative usage on every chunk: its own counts are never estimated.
  const CUT = RELAYED.filter(([fixture]) => fixture !== GEMINI_STREAM);
  it.each(CUT)('has no final usage when $name is cut before it', async (fixture, expected) => {
    const cut = utf8(cutBeforeUsage(fixture));
    const relayed = await relayedThroughTap(fixture, cutAt(cut, [3, 17, 101]));
    expect(relayed.usageReported()).toBe(false);
    expect(expected.startsWith(relayed.text())).toBe(true);
    expect(relayed.text()).not.toBe('');
  });

  it('takes the usage Gemini sends with its first chunk as reported', async () => {
    const firstChunk = GEMINI_STREAM.body.split(/(?<=\r\n\r\n|\n\n)/)[0] ?? '';
    const relayed = await relayedThroughTap(GEMINI_STREAM, [utf8(firstChunk)]);
    expect(relayed.usageReported()).toBe(true);
  });

  it('collects reasoning and tool-call arguments (OpenAI-compatible)', () => {
    const relayed = createRelayedText('openai');
    const choices = (delta: unknown) => ({ choices: [{ index: 0, delta }], usage: null });
    for (const body of [
      choices({ reasoning: 'think ' }),
      choices({ tool_calls: [{ index: 0, function: { name: 'f', arguments: '{"a":' } }] }),
      choices({ tool_calls: [{ index: 0, function: { arguments: '1}' } }] }),
    ]) {
      relayed.addSseEvent({ data: JSON.stringify(body) });
    }
    relayed.addSseEvent({ data: '[DONE]' });
    relayed.addSseEvent({ data: 'not json' });
    expect(relayed.text()).toBe('think {"a":1}');
    expect(relayed.usageReported()).toBe(false);
  });

  it('collects Responses API text deltas and sees usage in response.completed', () => {
    const relayed = createRelayedText('openai');
    relayed.addSseEvent({
      data: JSON.stringify({ type: 'response.output_text.delta', delta: 'Hi' }),
    });
    expect(relayed.text()).toBe('Hi');
    relayed.addSseEvent({
      data: JSON.stringify({
        type: 'response.completed',
        response: { usage: { input_tokens: 3 } },
      }),
    });
    expect(relayed.usageReported()).toBe(true);
  });

  it('collects thinking and tool input deltas (Anthropic), final usage only at message_delta', () => {
    const relayed = createRelayedText('anthropic');
    const events = [
      sse({ type: 'message_start', message: { usage: { input_tokens: 9, output_tokens: 1 } } }),
      sse({
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'thinking_delta', thinking: 'Hm. ' },
      }),
      sse({
        type: 'content_block_delta',
        index: 1,
        delta: { type: 'input_json_delta', partial_json: '{"city":' },
      }),
    ];
    for (const event of events) relayed.addSseEvent({ data: event.split('data: ')[1] ?? '' });
    expect(relayed.text()).toBe('Hm. {"city":');
    expect(relayed.usageReported()).toBe(false);
    relayed.addSseEvent({
      data: JSON.stringify({ type: 'message_delta', usage: { output_tokens: 5 } }),
    });
    expect(relayed.usageReported()).toBe(true);
  });
});

describe('the prompt text of a request', () => {
  it('takes system, message text parts, tool calls and tool definitions', () => {
    const text = requestText({
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [
        { role: 'user', content: 'Hello' },
        { role: 'user', content: [{ type: 'text', text: 'there' }, { type: 'image_url' }] },
        { role: 'assistant', tool_calls: [{ function: { name: 'f', arguments: '{"x":1}' } }] },
      ],
      tools: [{ name: 'f' }],
    });
    expect(text).toBe('Be brief.\nHello\nthere\n{"x":1}\n[{"name":"f"}]');
  });
});

describe('estimating a dropped stream', () => {
  const requestJson = { messages: [{ role: 'user', content: 'one two three' }] };
  const none = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };

  it('counts the request and the relayed text when the provider reported nothing', async () => {
    const usage = await estimateUsage(new WordTokenCounter(), {
      requestJson,
      observed: none,
      relayedText: 'four five',
    });
    // 3 words + 3 tokens of message overhead; 2 words out.
    expect(usage).toEqual({ ...none, inputTokens: 6, outputTokens: 2 });
  });

  it("keeps the provider's input counts (Anthropic message_start)", async () => {
    const usage = await estimateUsage(new WordTokenCounter(), {
      requestJson,
      observed: { inputTokens: 40, outputTokens: 1, cacheReadTokens: 7, cacheWriteTokens: 2 },
      relayedText: 'a b c',
    });
    expect(usage).toEqual({
      inputTokens: 40,
      outputTokens: 3,
      cacheReadTokens: 7,
      cacheWriteTokens: 2,
    });
  });

  it('counts with o200k_base through the gpt-tokenizer adapter', async () => {
    const counter = new GptTokenizerCounter();
    expect(await counter.countTokens('')).toBe(0);
    expect(await counter.countTokens('Hello world')).toBe(2);
    expect(await counter.countTokens('Grüße aus Zürich 👋🏽 — 東京')).toBeGreaterThan(5);
  });
});

describe('approximating a request without a tokenizer', () => {
  it('takes UTF-8 bytes of the prompt text / 4, rounded up, plus 3 per message', () => {
    // "You are terse." (14 bytes) + "hello" (5) + "héllo" (6: é is 2 bytes) = 25 bytes -> 7, + 2 x 3.
    const json = {
      model: 'claude-sonnet-4-5',
      system: 'You are terse.',
      messages: [
        { role: 'user', content: 'hello' },
        { role: 'assistant', content: [{ type: 'text', text: 'héllo' }] },
      ],
    };
    expect(approximateInputTokens(json)).toBe(13);
  });

  it('is 0 for a request with no text and no messages', () => {
    expect(approximateInputTokens({ model: 'text-embedding-3-small', input: [] })).toBe(0);
  });
});
