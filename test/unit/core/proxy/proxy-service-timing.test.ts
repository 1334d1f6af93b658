// `server-timing` on every kind of answer, with exact figures: the harness's stores and upstream
// take fake time (FakeClock), so each phase is known to the tenth of a millisecond.
import { describe, expect, it } from 'vitest';
import type { ProxyOutcome } from '#core/proxy/proxy-service.ts';
import { bodyText, proxyHarness } from './proxy-harness.ts';

const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
const COMPLETION = JSON.stringify({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 },
});
const STREAM = [
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: 'stop' }] })}\n\n`,
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } })}\n\n`,
  'data: [DONE]\n\n',
].join('');

/** One admission call of 3 ms (key, plan and both windows), then 0.7 ms to open the stored key. */
async function slowHarness() {
  const harness = await proxyHarness();
  harness.delays.admitCallMs = 3;
  harness.delays.openKeyMs = 0.7;
  return harness;
}

function headersOf(outcome: ProxyOutcome): Record<string, string> {
  return outcome.headers;
}

async function recordOf(harness: Awaited<ReturnType<typeof proxyHarness>>, outcome: ProxyOutcome) {
  if (outcome.kind === 'forwarded') await outcome.settled;
  else await outcome.settle(502);
  const [record] = await harness.usage.listRecent(harness.accountId, 1);
  return record;
}

describe('proxy service: server-timing', () => {
  it('times a JSON answer: auth+limits, upstream headers and body, and the overhead around them', async () => {
    // Arrange
    const harness = await slowHarness();
    harness.answerWith({ body: COMPLETION, headersAfterMs: 143, bodyAfterMs: 20 });

    // Act
    const outcome = await harness.send(CHAT);

    // Assert: overhead = auth+limits 3.0 + opening the key 0.7
    expect(headersOf(outcome)['server-timing']).toBe(
      'auth;dur=3.0;desc="auth+limits", upstream;dur=143.0;desc="upstream headers", ' +
        'upstream-body;dur=20.0;desc="upstream body", overhead;dur=3.7;desc="Metrion overhead"',
    );
    expect((await recordOf(harness, outcome))?.timing).toEqual({
      authMs: 3,
      upstreamHeadersMs: 143,
      upstreamBodyMs: 20,
      overheadMs: 3.7,
    });
  });

  it('times a stream up to its headers; the time streaming the body is not in it', async () => {
    // Arrange
    const harness = await slowHarness();
    harness.answerWith({ contentType: 'text/event-stream', body: STREAM, headersAfterMs: 80 });

    // Act
    const outcome = await harness.send({ ...CHAT, stream: true });
    harness.clock.advance(1_000);
    await bodyText(outcome);

    // Assert
    expect(headersOf(outcome)['server-timing']).toBe(
      'auth;dur=3.0;desc="auth+limits", upstream;dur=80.0;desc="upstream headers", ' +
        'overhead;dur=3.7;desc="Metrion overhead"',
    );
    const record = await recordOf(harness, outcome);
    expect(record?.timing).toEqual({ authMs: 3, upstreamHeadersMs: 80, overheadMs: 3.7 });
    expect(record?.latencyMs).toBeGreaterThanOrEqual(1_000);
  });

  it('times a cache hit: no upstream phase, and no key opened', async () => {
    // Arrange
    const harness = await slowHarness();
    harness.answerWith({ body: COMPLETION });
    const miss = await harness.send(CHAT, { 'x-metrion-cache': 'true' });
    await recordOf(harness, miss);

    // Act
    const hit = await harness.send(CHAT, { 'x-metrion-cache': 'true' });

    // Assert
    expect(headersOf(hit)['x-metrion-cache']).toBe('HIT');
    expect(headersOf(hit)['server-timing']).toBe(
      'auth;dur=3.0;desc="auth+limits", overhead;dur=3.0;desc="Metrion overhead"',
    );
    expect((await recordOf(harness, hit))?.timing).toEqual({ authMs: 3, overheadMs: 3 });
  });

  it('times a provider error like any buffered answer', async () => {
    const harness = await slowHarness();
    harness.answerWith({ status: 500, body: '{"error":{"message":"boom"}}', headersAfterMs: 9 });

    const outcome = await harness.send(CHAT);

    expect(outcome.kind === 'forwarded' && outcome.status).toBe(500);
    expect(headersOf(outcome)['server-timing']).toMatch(
      /^auth;dur=3\.0;.*, upstream;dur=9\.0;.*, upstream-body;dur=0\.0;.*, overhead;dur=3\.7;/,
    );
  });

  it("times Metrion's own errors: a 401 and a 429 before the provider, a 502 after it", async () => {
    // Arrange: use up the minute without delays, then slow admission
    const harness = await proxyHarness();
    const unknownKey = await harness.send(CHAT, {
      authorization: 'Bearer sk-metrion-00000000000000000000000000000000',
    });
    harness.answerWith({ body: COMPLETION });
    for (let sent = 0; sent < 100; sent += 1) await recordOf(harness, await harness.send(CHAT));
    harness.delays.admitCallMs = 5;

    // Act
    const refused = await harness.send(CHAT);
    harness.clock.advance(60_000);
    harness.answerWith({ body: 'not json', headersAfterMs: 4, bodyAfterMs: 1 });
    const unreadable = await harness.send(CHAT);

    // Assert: the refused request took its admission call
    expect(unknownKey.kind === 'failed' && unknownKey.error.code).toBe('invalid_api_key');
    expect(headersOf(unknownKey)['server-timing']).toBe(
      'auth;dur=0.0;desc="auth+limits", overhead;dur=0.0;desc="Metrion overhead"',
    );
    expect(refused.kind === 'failed' && refused.error.code).toBe('rate_limit_exceeded');
    expect(headersOf(refused)['server-timing']).toBe(
      'auth;dur=5.0;desc="auth+limits", overhead;dur=5.0;desc="Metrion overhead"',
    );
    expect(unreadable.kind).toBe('failed');
    expect(headersOf(unreadable)['server-timing']).toBe(
      'auth;dur=5.0;desc="auth+limits", upstream;dur=4.0;desc="upstream headers", ' +
        'upstream-body;dur=1.0;desc="upstream body", overhead;dur=5.0;desc="Metrion overhead"',
    );
    expect((await recordOf(harness, unreadable))?.timing).toEqual({
      authMs: 5,
      upstreamHeadersMs: 4,
      upstreamBodyMs: 1,
      overheadMs: 5,
    });
  });

  it('times a side call (model list), which records nothing', async () => {
    const harness = await slowHarness();
    harness.answerWith({ body: '{"object":"list","data":[]}', headersAfterMs: 12 });

    const outcome = await harness.send('', {}, '/api/proxy/openai/v1/models', 'GET');

    expect(outcome.kind === 'forwarded' && outcome.status).toBe(200);
    // One admission call like any request (it only leaves the month uncounted), then the key.
    expect(headersOf(outcome)['server-timing']).toMatch(
      /^auth;dur=3\.0;.*, upstream;dur=12\.0;.*, upstream-body;dur=0\.0;.*, overhead;dur=3\.7;/,
    );
  });
});
