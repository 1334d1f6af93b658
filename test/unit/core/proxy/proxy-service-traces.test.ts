import { describe, expect, it } from 'vitest';
import { MissingProviderKeyError, ServiceUnavailableError } from '#core/errors.ts';
import type { ProxyOutcome } from '#core/proxy/proxy-service.ts';
import { bodyText, type Issued, proxyHarness } from './proxy-harness.ts';

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

function failed(outcome: ProxyOutcome) {
  if (outcome.kind !== 'failed') throw new Error(`expected a failure, got ${outcome.status}`);
  return outcome;
}

/** Lets every pending promise and timer of the fake stores run. */
const stillness = () => new Promise((resolve) => setTimeout(resolve, 20));

const storeDown = () =>
  new ServiceUnavailableError('store down', { service: 'dynamodb', operation: 'PutItem' });

/** A harness whose process has admitted its key once already (the trace's usual path). */
async function warmHarness() {
  const harness = await proxyHarness();
  harness.answerWith({ body: COMPLETION });
  await forwarded(await harness.send(CHAT)).settled;
  harness.issued.length = 0;
  return harness;
}

describe('proxy service: the trace of a request, before the provider sees it', () => {
  it("is stored before the upstream call on a key's first request, written after admission", async () => {
    const harness = await proxyHarness();
    harness.answerWith({ body: COMPLETION });

    const outcome = forwarded(await harness.send(CHAT));
    await outcome.settled;

    expect(harness.issued).toEqual<Issued[]>(['admission', 'trace', 'trace stored', 'upstream']);
  });

  it('is issued with the admission write once the process knows the key: one round trip', async () => {
    const harness = await warmHarness();

    const outcome = forwarded(await harness.send(CHAT));
    await outcome.settled;

    // The trace write leaves before the admission's is issued, and both before the provider.
    expect(harness.issued).toEqual<Issued[]>(['trace', 'admission', 'trace stored', 'upstream']);
  });

  for (const [name, harnessFor] of [
    ["a key's first request", async () => proxyHarness()],
    ['a known key', warmHarness],
  ] as const) {
    it(`holds the upstream call until the trace has landed (${name})`, async () => {
      // Arrange: trace writes held
      const harness = await harnessFor();
      harness.answerWith({ body: COMPLETION });
      const sentBefore = harness.sent.length;
      const release = Promise.withResolvers<void>();
      harness.gates.trace = release.promise;

      // Act
      const pending = harness.send(CHAT);
      await stillness();
      const sentWhileHeld = harness.sent.length - sentBefore;
      release.resolve();
      const outcome = forwarded(await pending);
      await outcome.settled;

      // Assert
      expect(sentWhileHeld).toBe(0);
      expect(harness.sent.length - sentBefore).toBe(1);
      expect(outcome.status).toBe(200);
    });
  }

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

  it('written with the admission names the same account and mode', async () => {
    const harness = await warmHarness();

    await forwarded(await harness.send(CHAT)).settled;

    const traces = await tracesOf(harness);
    expect(traces).toHaveLength(2);
    expect(traces[1]?.record).toMatchObject({
      requestId: 'req-2',
      accountId: harness.accountId,
      mode: 'stored',
      interrupted: true,
    });
  });

  it('is kept for an upstream call that failed too, beside the error record', async () => {
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
});

describe('proxy service: a request that does not go upstream leaves no trace', () => {
  it('is not traced when refused before admission (validation)', async () => {
    const harness = await proxyHarness();

    await failed(await harness.send({ model: 'gpt-4o-mini' })).settle(400);

    // The admission call looks the account up for the Logs row, after the answer.
    expect(harness.issued).toEqual<Issued[]>(['admission']);
    expect(await tracesOf(harness)).toEqual([]);
  });

  it('discards the trace of a cache hit on a known key', async () => {
    const harness = await warmHarness();
    const cached = { 'x-metrion-cache': 'true' };
    await forwarded(await harness.send(CHAT, cached)).settled;
    harness.issued.length = 0;

    const hit = forwarded(await harness.send(CHAT, cached));
    await hit.settled;

    expect(hit.headers['x-metrion-cache']).toBe('HIT');
    expect(harness.issued).toEqual<Issued[]>([
      'trace',
      'admission',
      'trace stored',
      'trace discarded',
    ]);
    expect(await tracesOf(harness)).toHaveLength(2);
  });

  it('discards the trace when the admission fails (503), without waiting for the answer to leave', async () => {
    const harness = await warmHarness();
    harness.faults.admit = storeDown();

    const refusal = failed(await harness.send(CHAT));
    await stillness();
    const issuedBeforeSettle = [...harness.issued];
    await refusal.settle(503);

    expect(refusal.error.code).toBe('service_unavailable');
    expect(issuedBeforeSettle).toEqual<Issued[]>([
      'trace',
      'admission',
      'trace stored',
      'trace discarded',
    ]);
    expect(await tracesOf(harness)).toHaveLength(1);
  });

  it('discards the trace of a key that stopped existing, and writes none for it again', async () => {
    // Arrange: the process knows the key; then it is replaced (regenerated elsewhere)
    const harness = await warmHarness();
    const stored = await harness.accounts.getMetrionKey(harness.accountId);
    if (stored === undefined) throw new Error('no stored key');
    await harness.accounts.replaceMetrionKey(harness.accountId, {
      ...stored,
      digest: 'f'.repeat(64),
    });

    // Act
    const first = failed(await harness.send(CHAT));
    await first.settle(401);
    const issuedForFirst = [...harness.issued];
    harness.issued.length = 0;
    await failed(await harness.send(CHAT)).settle(401);

    // Assert
    expect(first.error.code).toBe('invalid_api_key');
    expect(issuedForFirst).toEqual<Issued[]>([
      'trace',
      'admission',
      'trace stored',
      'trace discarded',
    ]);
    expect(harness.issued).toEqual<Issued[]>(['admission']);
    expect(await tracesOf(harness)).toHaveLength(1);
  });

  it('discards the trace when the provider key is missing, after its write landed', async () => {
    // Arrange: a first request's trace is written in parallel with opening the provider key
    const harness = await proxyHarness();
    await harness.accounts.deleteProviderKey(harness.accountId, 'openai');
    const release = Promise.withResolvers<void>();
    harness.gates.trace = release.promise;

    // Act: the refusal is known before the trace lands
    const refusal = failed(await harness.send(CHAT));
    const settled = refusal.settle(400);
    await stillness();
    release.resolve();
    await settled;

    // Assert: the delete waited for the write, and the Logs row is written
    expect(refusal.error).toBeInstanceOf(MissingProviderKeyError);
    expect(harness.issued).toEqual<Issued[]>([
      'admission',
      'trace',
      'trace stored',
      'trace discarded',
    ]);
    expect(await tracesOf(harness)).toEqual([]);
    expect(harness.sent).toEqual([]);
    expect(await harness.usage.listRecent(harness.accountId, 10)).toMatchObject([{ status: 400 }]);
  });
});

describe('proxy service: a trace that cannot be written', () => {
  for (const [name, harnessFor] of [
    ["a key's first request", async () => proxyHarness()],
    ['a known key', warmHarness],
  ] as const) {
    it(`keeps the request from the provider: 503, and a Logs row (${name})`, async () => {
      // Arrange
      const harness = await harnessFor();
      const sentBefore = harness.sent.length;
      harness.faults.trace = storeDown();

      // Act
      const refusal = failed(await harness.send(CHAT));
      await refusal.settle(503);

      // Assert
      expect(refusal.error.code).toBe('service_unavailable');
      expect(harness.sent.length - sentBefore).toBe(0);
      const [row] = await harness.usage.listRecent(harness.accountId, 10);
      expect(row).toMatchObject({ status: 503, errorSource: 'metrion' });
      expect(row?.interrupted).toBeUndefined();
      expect(harness.logger.lines).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          message: 'request trace could not be written; the request is not sent upstream',
        }),
      );
    });
  }
});
