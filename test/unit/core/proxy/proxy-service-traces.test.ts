import { describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '#core/errors.ts';
import type { ProxyOutcome } from '#core/proxy/proxy-service.ts';
import { bodyText, proxyHarness } from './proxy-harness.ts';

// 12 UTF-8 bytes of prompt text ("hello world!") in one message: 12 / 4 + 3 = 6 input tokens.
const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello world!' }] };
const COMPLETION = JSON.stringify({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200 },
});

function forwarded(outcome: ProxyOutcome) {
  if (outcome.kind !== 'forwarded')
    throw new Error(`expected forwarded, got ${outcome.error.code}`);
  return outcome;
}

async function tracesOf(harness: Awaited<ReturnType<typeof proxyHarness>>) {
  const pages = [];
  for await (const page of harness.traces.tracesBetween(0, Number.MAX_SAFE_INTEGER)) {
    pages.push(...page);
  }
  return pages;
}

describe('proxy service: the trace of a request sent upstream', () => {
  it('is issued after the upstream call, never before it', async () => {
    const harness = await proxyHarness();
    harness.answerWith({ body: COMPLETION });

    const outcome = forwarded(await harness.send(CHAT));
    await outcome.settled;

    expect(harness.issued).toEqual(['upstream', 'trace']);
  });

  it('holds the interrupted record the request would leave: same key as its own record', async () => {
    // Arrange
    const harness = await proxyHarness();
    harness.answerWith({ body: COMPLETION });

    // Act
    const outcome = forwarded(await harness.send(CHAT));
    await outcome.settled;

    // Assert: one trace, keyed like the request's record, estimated from the request alone
    const [trace, ...others] = await tracesOf(harness);
    const [record] = await harness.usage.listRecent(harness.accountId, 10);
    expect(others).toEqual([]);
    expect(trace?.record).toMatchObject({
      requestId: record?.requestId,
      at: record?.at,
      accountId: harness.accountId,
      model: 'gpt-4o-mini',
      status: 502,
      errorSource: 'metrion',
      interrupted: true,
      estimated: true,
      inputTokens: 6,
      outputTokens: 0,
      // gpt-4o-mini input: $0.15 per million tokens = 150,000 pico-USD per token.
      costPicoUsd: 6n * 150_000n,
      latencyMs: 0,
    });
    expect(trace?.retention).toEqual({
      expiresAtEpochSeconds: expect.any(Number),
    });
    // The request's own record is exact and not interrupted.
    expect(record).toMatchObject({ status: 200, inputTokens: 1000, outputTokens: 200 });
    expect(record?.interrupted).toBeUndefined();
  });

  it('is written for an upstream call that failed too, beside the error record', async () => {
    const harness = await proxyHarness();
    harness.answerWith({ status: 503, body: '{"error":{"message":"overloaded"}}' });

    const outcome = forwarded(await harness.send(CHAT));
    await bodyText(outcome);
    await outcome.settled;

    expect(await tracesOf(harness)).toHaveLength(1);
    expect(await harness.usage.listRecent(harness.accountId, 10)).toMatchObject([
      { status: 503, errorSource: 'provider' },
    ]);
  });

  it('is not written when nothing went upstream (a refusal)', async () => {
    const harness = await proxyHarness();

    const outcome = await harness.send({ model: 'gpt-4o-mini' });
    if (outcome.kind !== 'failed') throw new Error('expected a refusal');
    await outcome.settle(400);

    expect(harness.issued).toEqual([]);
    expect(await tracesOf(harness)).toEqual([]);
  });

  it('is not written for a cache hit', async () => {
    const harness = await proxyHarness();
    harness.answerWith({ body: COMPLETION });
    const cached = { 'x-metrion-cache': 'true' };
    await forwarded(await harness.send(CHAT, cached)).settled;

    const hit = forwarded(await harness.send(CHAT, cached));
    await hit.settled;

    expect(hit.headers['x-metrion-cache']).toBe('HIT');
    expect(harness.issued).toEqual(['upstream', 'trace']);
  });

  it('that fails is logged; the answer and its record are unaffected', async () => {
    const harness = await proxyHarness();
    harness.answerWith({ body: COMPLETION });
    harness.faults.trace = new ServiceUnavailableError('store down', {
      service: 'dynamodb',
      operation: 'PutItem',
    });

    const outcome = forwarded(await harness.send(CHAT));
    const body = await bodyText(outcome);
    await outcome.settled;

    expect(outcome.status).toBe(200);
    expect(body).toBe(COMPLETION);
    expect(await harness.usage.listRecent(harness.accountId, 10)).toMatchObject([
      { status: 200, outputTokens: 200 },
    ]);
    expect(harness.logger.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'request trace could not be written' }),
    );
  });
});
