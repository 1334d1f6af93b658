// The proxy handler as the Lambda runtime invokes it, on a scripted core: how a failure is
// answered (envelope, headers) and when a request's record is written (after the answer).
import '#local/awslambda-shim.ts';
import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '#core/errors.ts';
import type { ProxyOutcome, ProxyService } from '#core/proxy/proxy-service.ts';
import { createProxyHandler } from '#handlers/proxy.ts';
import { buildLambdaContext, buildProxyEvent } from '#local/api-gateway-event.ts';
import {
  LambdaResponseStream,
  PreludeReader,
  type PreludeReadResult,
} from '#local/api-gateway-response-stream.ts';
import type { StreamingLambdaHandler } from '#local/awslambda-shim.ts';
import { FakeClock } from '../../fakes/fake-clock.ts';
import { SILENT_LOGGER } from '../../fixtures/silent-logger.ts';

type Prelude = Extract<PreludeReadResult, { state: 'complete' }>['prelude'];

/**
 * Invokes the streaming handler once with a core that answers `handle`; returns the answer's
 * prelude, its body, and the order in which the answer ended and its record was written.
 */
async function invoke(handle: (events: string[], clock: FakeClock) => ProxyService['handle']) {
  const events: string[] = [];
  const clock = new FakeClock({ startMs: Date.parse('2026-12-01T12:00:00.000Z') });
  let prelude: Prelude | undefined;
  const body: Buffer[] = [];
  const raw: Buffer[] = [];
  const reader = new PreludeReader(() => stream.contentType);
  const stream = new LambdaResponseStream({
    write(chunk, done) {
      raw.push(chunk);
      if (prelude === undefined) {
        const result = reader.push(chunk);
        if (result.state === 'complete') {
          prelude = result.prelude;
          body.push(result.rest);
        }
      } else {
        body.push(chunk);
      }
      done();
    },
    end() {
      events.push('answer ended');
    },
  });
  const handler = createProxyHandler({
    proxy: { handle: handle(events, clock) },
    clock,
    logger: SILENT_LOGGER,
    corsAllowedOrigins: [],
  }) as unknown as StreamingLambdaHandler;
  const event = buildProxyEvent({
    method: 'POST',
    rawUrl: '/api/proxy/openai/v1/chat/completions',
    rawHeaders: ['content-type', 'application/json'],
    sourceIp: '127.0.0.1',
    body: new TextEncoder().encode('{}'),
    requestId: 'req-1',
  });
  await handler(event, stream, buildLambdaContext({ timeoutMs: 60_000 }));
  const rawText = Buffer.concat(raw).toString('utf8');
  const rawPrelude = JSON.parse(rawText.slice(0, rawText.indexOf('\0'))) as object;
  return { prelude, rawPrelude, body: Buffer.concat(body).toString('utf8'), events };
}

describe('proxy handler: a failure the core reports', () => {
  const refusal =
    (events: string[]): ProxyService['handle'] =>
    async () =>
      ({
        kind: 'failed',
        error: new InvalidRequestError('`max_tokens` is required.'),
        wireFormat: 'anthropic',
        headers: { 'server-timing': 'overhead;dur=0.4;desc="Metrion overhead"' },
        settle: async (status) => {
          events.push(`recorded with ${status}`);
        },
      }) satisfies ProxyOutcome;

  it('answers in the envelope the core names, with its headers', async () => {
    const { prelude, body } = await invoke(refusal);

    expect(prelude?.statusCode).toBe(400);
    expect(prelude?.headers).toMatchObject({
      'server-timing': 'overhead;dur=0.4;desc="Metrion overhead"',
      'x-metrion-request-id': 'req-1',
    });
    expect(JSON.parse(body)).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: '`max_tokens` is required.' },
    });
  });

  it('records it after the answer ended, with the status it was answered with', async () => {
    const { events } = await invoke(refusal);

    expect(events).toEqual(['answer ended', 'recorded with 400']);
  });
});

describe('proxy handler: a forwarded answer', () => {
  it('sends only status, headers and body, and waits for the record after the answer', async () => {
    const { prelude, rawPrelude, body, events } = await invoke((events) => async () => ({
      kind: 'forwarded',
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: new TextEncoder().encode('{"ok":true}'),
      settled: Promise.resolve().then(() => {
        events.push('record written');
      }),
    }));

    expect(prelude?.statusCode).toBe(200);
    expect(Object.keys(rawPrelude).sort()).toEqual(['headers', 'statusCode']);
    expect(body).toBe('{"ok":true}');
    expect(events).toContain('record written');
  });
});

describe('proxy handler: an unexpected failure outside the core', () => {
  it('answers 500 with the time Metrion spent in server-timing', async () => {
    // Arrange: the core fails 2.5 ms after arrival with an error no code maps
    const failing = (_events: string[], clock: FakeClock) => async () => {
      clock.advance(2.5);
      throw new Error('bug');
    };

    // Act
    const { prelude, body } = await invoke(failing);

    // Assert: the OpenAI-compatible envelope, as no route was resolved
    expect(prelude?.statusCode).toBe(500);
    expect(JSON.parse(body).error).toMatchObject({ type: 'api_error', code: 'internal_error' });
    expect(prelude?.headers['server-timing']).toBe('overhead;dur=2.5;desc="Metrion overhead"');
  });
});
