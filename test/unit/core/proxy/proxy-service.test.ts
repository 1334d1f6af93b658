import { describe, expect, it } from 'vitest';
import { minuteCounter, monthCounter } from '#core/limits/request-limits.ts';
import { MAX_CACHED_BODY_BYTES } from '#core/ports/response-cache-store.ts';
import type { ProxyOutcome } from '#core/proxy/proxy-service.ts';
import { bodyText, PROVIDER_KEY, proxyHarness } from './proxy-harness.ts';

const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
const COMPLETION = JSON.stringify({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200 },
});
// gpt-4o-mini: $0.15 in, $0.60 out per million tokens, in pico-USD.
const COMPLETION_COST = 1000n * 150_000n + 200n * 600_000n;

async function settle(outcome: ProxyOutcome): Promise<void> {
  if (outcome.kind === 'forwarded') await outcome.settled;
  else await outcome.settle(429);
}

function forwarded(outcome: ProxyOutcome) {
  if (outcome.kind !== 'forwarded')
    throw new Error(`expected forwarded, got ${outcome.error.code}`);
  return outcome;
}

describe('proxy service: limits', () => {
  it('checks limits after authentication and before decrypting the key or calling upstream', async () => {
    // Arrange: use up the minute
    const harness = await proxyHarness();
    harness.answerWith({ body: COMPLETION });
    for (let i = 0; i < 100; i += 1) await settle(await harness.send(CHAT));
    const opened = harness.opened();
    const sent = harness.sent.length;
    const recorded = (await harness.usage.listRecent(harness.accountId, 1000)).length;

    // Act
    const refused = await harness.send(CHAT);
    await settle(refused);

    // Assert
    expect(refused.kind === 'failed' && refused.error.code).toBe('rate_limit_exceeded');
    expect(harness.opened()).toBe(opened);
    expect(harness.sent.length).toBe(sent);
    expect(await harness.usage.listRecent(harness.accountId, 1000)).toHaveLength(recorded);
  });

  it('does not count requests that fail authentication', async () => {
    const harness = await proxyHarness();
    const outcome = await harness.send(CHAT, {
      authorization: 'Bearer sk-metrion-00000000000000000000000000000000',
    });
    expect(outcome.kind === 'failed' && outcome.error.code).toBe('invalid_api_key');
    const nowMs = harness.clock.nowMs();
    expect(await harness.accounts.windowCount(harness.keyDigest, monthCounter(nowMs))).toEqual({
      count: 0,
      refused: 0,
    });
  });

  it('counts a request on the minute of the key and the month of the account', async () => {
    const harness = await proxyHarness();
    harness.answerWith({ body: COMPLETION });
    await settle(await harness.send(CHAT));
    const nowMs = harness.clock.nowMs();
    expect(minuteCounter(nowMs)).toBe('rpm@2026-11-24T12:00');
    for (const counter of [minuteCounter(nowMs), monthCounter(nowMs)]) {
      expect(await harness.accounts.windowCount(harness.keyDigest, counter)).toEqual({
        count: 1,
        refused: 0,
      });
    }
  });
});

describe('proxy service: response cache', () => {
  it('stores a 2xx answer on a miss and serves the next request from the cache at cost 0', async () => {
    // Arrange
    const harness = await proxyHarness();
    harness.answerWith({ body: COMPLETION });
    const miss = forwarded(await harness.send(CHAT, { 'x-metrion-cache': 'true' }));
    await miss.settled;
    harness.clock.advance(90_000);
    const opened = harness.opened();

    // Act
    const hit = forwarded(await harness.send(CHAT, { 'x-metrion-cache': 'true' }));
    await hit.settled;

    // Assert
    expect(miss.headers['x-metrion-cache']).toBe('MISS');
    expect(hit.headers).toMatchObject({ 'x-metrion-cache': 'HIT', age: '90' });
    expect(await bodyText(hit)).toBe(COMPLETION);
    expect(harness.sent).toHaveLength(1);
    expect(harness.opened()).toBe(opened);
    const [hitRecord, missRecord] = await harness.usage.listRecent(harness.accountId, 10);
    expect(missRecord).toMatchObject({ cached: false, costPicoUsd: COMPLETION_COST });
    expect(hitRecord).toMatchObject({
      cached: true,
      costPicoUsd: 0n,
      inputTokens: 1000,
      outputTokens: 200,
      model: 'gpt-4o-mini-2024-07-18',
      status: 200,
    });
  });

  it('records a hit with its own request tags, and sends no tag header upstream', async () => {
    // Arrange: the miss carries feature=search
    const harness = await proxyHarness();
    harness.answerWith({ body: COMPLETION });
    await settle(
      await harness.send(CHAT, { 'x-metrion-cache': 'true', 'x-metrion-tag-feature': 'search' }),
    );

    // Act: the same body with other tags is a hit
    await settle(
      await harness.send(CHAT, {
        'x-metrion-cache': 'true',
        'x-metrion-tag-feature': 'chat',
        'x-metrion-tag-team': 'core',
      }),
    );

    // Assert
    const [hitRecord, missRecord] = await harness.usage.listRecent(harness.accountId, 10);
    expect(missRecord).toMatchObject({ cached: false, tags: { feature: 'search' } });
    expect(hitRecord).toMatchObject({ cached: true, tags: { feature: 'chat', team: 'core' } });
    expect(harness.sent).toHaveLength(1);
    expect(Object.keys(harness.sent[0]?.headers ?? {}).filter((h) => h.includes('tag'))).toEqual(
      [],
    );
  });

  it('replays a hit as an SSE stream when the caller asks for stream: true', async () => {
    const harness = await proxyHarness();
    harness.answerWith({ body: COMPLETION });
    await settle(await harness.send(CHAT, { 'x-metrion-cache': 'true' }));

    const hit = forwarded(
      await harness.send({ ...CHAT, stream: true }, { 'x-metrion-cache': 'true' }),
    );

    expect(hit.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const text = await bodyText(hit);
    expect(text).toContain('"delta":{"role":"assistant","content":"Hello"}');
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    await hit.settled;
    expect((await harness.usage.listRecent(harness.accountId, 1))[0]).toMatchObject({
      streamed: true,
      cached: true,
    });
  });

  it('always calls upstream on refresh and overwrites the entry', async () => {
    const harness = await proxyHarness();
    harness.answerWith({ body: COMPLETION });
    await settle(await harness.send(CHAT, { 'x-metrion-cache': 'true' }));
    const changed = COMPLETION.replace('Hello', 'Fresh');
    harness.answerWith({ body: changed });

    const refreshed = forwarded(await harness.send(CHAT, { 'x-metrion-cache': 'refresh' }));
    await refreshed.settled;
    const hit = forwarded(await harness.send(CHAT, { 'x-metrion-cache': 'true' }));

    expect(refreshed.headers['x-metrion-cache']).toBe('MISS');
    expect(harness.sent).toHaveLength(2);
    expect(await bodyText(hit)).toBe(changed);
  });

  it('caches nothing without the header, for errors, or with max-age=0', async () => {
    const harness = await proxyHarness();
    harness.answerWith({ body: COMPLETION });
    const plain = forwarded(await harness.send(CHAT));
    await plain.settled;
    harness.answerWith({ status: 500, body: '{"error":{"message":"boom"}}' });
    const failed = forwarded(await harness.send(CHAT, { 'x-metrion-cache': 'true' }));
    await failed.settled;
    harness.answerWith({ body: COMPLETION });
    const zero = forwarded(
      await harness.send(CHAT, { 'x-metrion-cache': 'true', 'cache-control': 'max-age=0' }),
    );
    await zero.settled;

    expect(plain.headers['x-metrion-cache']).toBeUndefined();
    expect(failed.headers['x-metrion-cache']).toBe('MISS');
    expect(zero.headers['x-metrion-cache']).toBe('MISS');
    expect(harness.responseCache.puts).toBe(0);
    expect(harness.responseCache.gets).toBe(2);
  });

  it('says SKIPPED-TOO-LARGE and stores nothing when the answer exceeds an item', async () => {
    const harness = await proxyHarness();
    const large = COMPLETION.replace('Hello', 'x'.repeat(MAX_CACHED_BODY_BYTES));
    harness.answerWith({ body: large });

    const outcome = forwarded(await harness.send(CHAT, { 'x-metrion-cache': 'true' }));
    await outcome.settled;

    expect(outcome.headers['x-metrion-cache']).toBe('SKIPPED-TOO-LARGE');
    expect(await bodyText(outcome)).toBe(large);
    expect(harness.responseCache.puts).toBe(0);
  });

  it('expires entries after the Cache-Control max-age', async () => {
    const harness = await proxyHarness();
    harness.answerWith({ body: COMPLETION });
    await settle(
      await harness.send(CHAT, { 'x-metrion-cache': 'true', 'cache-control': 'max-age=60' }),
    );
    harness.clock.advance(59_000);
    expect(
      forwarded(await harness.send(CHAT, { 'x-metrion-cache': 'true' })).headers,
    ).toMatchObject({ 'x-metrion-cache': 'HIT' });
    harness.clock.advance(1_000);
    expect(
      forwarded(await harness.send(CHAT, { 'x-metrion-cache': 'true' })).headers,
    ).toMatchObject({ 'x-metrion-cache': 'MISS' });
  });

  it('stores the answer rebuilt from a streamed miss, then serves it as JSON', async () => {
    const harness = await proxyHarness();
    const chunk = (fields: object) =>
      `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini-2024-07-18', ...fields })}\n\n`;
    harness.answerWith({
      contentType: 'text/event-stream',
      body: [
        chunk({ choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' } }] }),
        chunk({ choices: [{ index: 0, delta: { content: 'lo' }, finish_reason: 'stop' }] }),
        chunk({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } }),
        'data: [DONE]\n\n',
      ].join(''),
    });
    const streamed = forwarded(
      await harness.send({ ...CHAT, stream: true }, { 'x-metrion-cache': 'true' }),
    );
    const streamedText = await bodyText(streamed);
    await streamed.settled;

    const hit = forwarded(await harness.send(CHAT, { 'x-metrion-cache': 'true' }));

    expect(streamedText).not.toContain('"usage"');
    expect(hit.headers['x-metrion-cache']).toBe('HIT');
    expect(JSON.parse(await bodyText(hit))).toMatchObject({
      object: 'chat.completion',
      choices: [{ message: { content: 'Hello' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 3, completion_tokens: 2 },
    });
  });

  it('treats an unreadable cache as a miss and still answers', async () => {
    const harness = await proxyHarness();
    harness.answerWith({ body: COMPLETION });
    harness.responseCache.get = () => Promise.reject(new Error('DynamoDB down'));
    harness.responseCache.put = () => Promise.reject(new Error('DynamoDB down'));

    const outcome = forwarded(await harness.send(CHAT, { 'x-metrion-cache': 'true' }));
    await outcome.settled;

    expect(outcome.status).toBe(200);
    expect(harness.logger.lines.map((line) => line.message)).toEqual([
      'response cache unavailable; calling the provider',
      'response cache write failed',
    ]);
    expect(harness.sent[0]?.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
  });
});
