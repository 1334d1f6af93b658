import type Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect } from 'vitest';
import { SystemClock } from '#adapters/system/system-clock.ts';
import type { MonotonicClock, WaitingClock } from '#core/ports/clock.ts';
import {
  type ProxyStack,
  proxyStackTest,
  storedAnthropic,
  storedOpenAi,
} from '../support/proxy-stack.ts';

/** The system clock plus an offset a test moves forward, so entries expire without sleeping. */
class OffsetClock implements MonotonicClock, WaitingClock {
  offsetMs = 0;
  readonly #system = new SystemClock();
  nowMs(): number {
    return this.#system.nowMs() + this.offsetMs;
  }
  monotonicMs(): number {
    return this.#system.monotonicMs();
  }
  sleep(ms: number): Promise<void> {
    return this.#system.sleep(ms);
  }
}

const clock = new OffsetClock();

const it = proxyStackTest({ clock });

function openai(
  stack: ProxyStack,
  cache: 'true' | 'refresh',
  extra: Record<string, string> = {},
): OpenAI {
  return storedOpenAi(stack, 'openai', { 'x-metrion-cache': cache, ...extra });
}

function anthropic(stack: ProxyStack, cache: 'true' | 'refresh'): Anthropic {
  return storedAnthropic(stack, { 'x-metrion-cache': cache });
}

/** A prompt no other test sends, so each test starts with an empty entry. */
const uniquePrompt = (label: string) => `${label} ${Math.random()}`;

describe('response cache through the official SDKs', () => {
  it('OpenAI: a miss, then a HIT with the same JSON, recorded as cached at cost 0', async ({
    stack,
  }) => {
    // Arrange
    stack.openai.setScenario({ kind: 'ok', tokens: { inputTokens: 100, outputTokens: 20 } });
    const prompt = uniquePrompt('json');
    const upstreamBefore = stack.openai.requests.length;
    const recordsBefore = (await stack.settledRecords()).length;
    const request = {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user' as const, content: prompt }],
      temperature: 0.2,
    };

    // Act
    const miss = await openai(stack, 'true').chat.completions.create(request).withResponse();
    await stack.waitForRecords(recordsBefore + 1);
    const hit = await openai(stack, 'true').chat.completions.create(request).withResponse();

    // Assert
    expect(miss.response.headers.get('x-metrion-cache')).toBe('MISS');
    expect(hit.response.headers.get('x-metrion-cache')).toBe('HIT');
    expect(hit.data).toEqual(miss.data);
    expect(stack.openai.requests.length - upstreamBefore).toBe(1);
    const [hitRecord, missRecord] = await stack.waitForRecords(recordsBefore + 2);
    expect(missRecord).toMatchObject({ cached: false, inputTokens: 100, outputTokens: 20 });
    expect(missRecord?.costPicoUsd).toBe(100n * 150_000n + 20n * 600_000n);
    expect(hitRecord).toMatchObject({ cached: true, status: 200, model: 'gpt-4o-mini-2024-07-18' });
    expect(hitRecord?.costPicoUsd).toBe(0n);
  });

  it('OpenAI: replays a hit as a real stream, with the usage chunk only when asked', async ({
    stack,
  }) => {
    stack.openai.setScenario({ kind: 'ok', tokens: { inputTokens: 9, outputTokens: 6 } });
    const messages = [{ role: 'user' as const, content: uniquePrompt('stream') }];
    await openai(stack, 'true').chat.completions.create({ model: 'gpt-4o-mini', messages });
    const upstreamBefore = stack.openai.requests.length;

    const plain = await openai(stack, 'true').chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
    });
    const plainChunks = [];
    for await (const chunk of plain) plainChunks.push(chunk);
    const helper = openai(stack, 'true').chat.completions.stream({
      model: 'gpt-4o-mini',
      messages,
      stream_options: { include_usage: true },
    });
    const final = await helper.finalChatCompletion();

    expect(plainChunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(
      'Hello from the fake upstream.',
    );
    expect(plainChunks.some((chunk) => chunk.usage)).toBe(false);
    expect(final.choices[0]?.message.content).toBe('Hello from the fake upstream.');
    expect(final.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 6 });
    expect(stack.openai.requests.length).toBe(upstreamBefore);
    const [record] = await stack.records();
    expect(record).toMatchObject({ cached: true, streamed: true });
  });

  it('OpenAI: a streamed miss is stored too, and a non-streamed request then hits it', async ({
    stack,
  }) => {
    stack.openai.setScenario({ kind: 'ok', tokens: { inputTokens: 5, outputTokens: 6 } });
    const messages = [{ role: 'user' as const, content: uniquePrompt('streamed-miss') }];
    const recordsBefore = (await stack.settledRecords()).length;
    const stream = await openai(stack, 'true').chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
    });
    for await (const _chunk of stream) {
      // drain
    }
    await stack.waitForRecords(recordsBefore + 1);

    const hit = await openai(stack, 'true')
      .chat.completions.create({ model: 'gpt-4o-mini', messages })
      .withResponse();

    expect(hit.response.headers.get('x-metrion-cache')).toBe('HIT');
    expect(hit.data.choices[0]?.message.content).toBe('Hello from the fake upstream.');
    expect(hit.data.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 6 });
  });

  it('OpenAI: refresh calls upstream and overwrites; other sampling never shares an entry', async ({
    stack,
  }) => {
    const messages = [{ role: 'user' as const, content: uniquePrompt('refresh') }];
    stack.openai.setScenario({ kind: 'ok', pieces: ['first'] });
    await openai(stack, 'true').chat.completions.create({ model: 'gpt-4o-mini', messages });
    stack.openai.setScenario({ kind: 'ok', pieces: ['second'] });

    const refreshed = await openai(stack, 'refresh').chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
    });
    const hit = await openai(stack, 'true').chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
    });
    const otherSampling = await openai(stack, 'true').chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      temperature: 1.5,
    });
    const otherSystem = await openai(stack, 'true')
      .chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'system', content: 'Be brief.' }, ...messages],
      })
      .withResponse();

    expect(refreshed.choices[0]?.message.content).toBe('second');
    expect(hit.choices[0]?.message.content).toBe('second');
    expect(otherSampling.choices[0]?.message.content).toBe('second');
    expect(otherSystem.response.headers.get('x-metrion-cache')).toBe('MISS');
  });

  it('OpenAI: an entry is served until Cache-Control max-age has passed, then missed', async ({
    stack,
  }) => {
    // Arrange: a 60 s entry, stored by a first request
    stack.openai.setScenario({ kind: 'ok' });
    const messages = [{ role: 'user' as const, content: uniquePrompt('ttl') }];
    const shortLived = openai(stack, 'true', { 'cache-control': 'max-age=60' });
    const send = () =>
      shortLived.chat.completions.create({ model: 'gpt-4o-mini', messages }).withResponse();
    const upstreamBefore = stack.openai.requests.length;
    const recordsBefore = (await stack.settledRecords()).length;
    const first = await send();
    await stack.waitForRecords(recordsBefore + 1);

    // Act: within the 60 s, then once they have passed (the proxy's clock moves, nobody sleeps)
    const cached = await send();
    clock.offsetMs += 30_000;
    const stillCached = await send();
    clock.offsetMs += 30_000;
    const expired = await send();

    // Assert: the provider was called for the first request and after expiry only
    expect(
      [first, cached, stillCached, expired].map((r) => r.response.headers.get('x-metrion-cache')),
    ).toEqual(['MISS', 'HIT', 'HIT', 'MISS']);
    expect(stack.openai.requests.length - upstreamBefore).toBe(2);
  });

  it('OpenAI: does not cache provider errors', async ({ stack }) => {
    stack.openai.setScenario({
      kind: 'error',
      status: 500,
      body: { error: { message: 'boom', type: 'server_error', param: null, code: null } },
    });
    const messages = [{ role: 'user' as const, content: uniquePrompt('error') }];
    await openai(stack, 'true')
      .chat.completions.create({ model: 'gpt-4o-mini', messages })
      .catch(() => undefined);
    stack.openai.setScenario({ kind: 'ok' });

    const retried = await openai(stack, 'true')
      .chat.completions.create({ model: 'gpt-4o-mini', messages })
      .withResponse();

    expect(retried.response.headers.get('x-metrion-cache')).toBe('MISS');
    expect(retried.data.choices[0]?.message.content).toBe('Hello from the fake upstream.');
  });

  it('Anthropic: a hit replays through messages.stream() into the same final message', async ({
    stack,
  }) => {
    stack.anthropic.setScenario({
      kind: 'ok',
      tokens: { inputTokens: 30, outputTokens: 12, cacheReadTokens: 5, cacheWriteTokens: 0 },
    });
    const request = {
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      messages: [{ role: 'user' as const, content: uniquePrompt('anthropic') }],
    };
    const original = await anthropic(stack, 'true').messages.create(request);
    const upstreamBefore = stack.anthropic.requests.length;

    const final = await anthropic(stack, 'true').messages.stream(request).finalMessage();
    const again = await anthropic(stack, 'true').messages.create(request).withResponse();

    expect(final).toMatchObject(original);
    expect(again.data).toEqual(original);
    expect(again.response.headers.get('x-metrion-cache')).toBe('HIT');
    expect(stack.anthropic.requests.length).toBe(upstreamBefore);
  });

  it('rejects an unknown x-metrion-cache value with 400 in the provider envelope', async ({
    stack,
  }) => {
    const failure = await openai(stack, 'true', { 'x-metrion-cache': 'always' })
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [] })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.BadRequestError);
    expect((failure as Error).message).toContain('x-metrion-cache must be');
  });
});
