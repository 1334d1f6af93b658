// An unexpected failure inside the proxy still answers with Metrion's time in `server-timing`:
// the handler, as the Lambda runtime invokes it, with a core that throws a plain Error.
import '#local/awslambda-shim.ts';
import { describe, expect, it } from 'vitest';
import type { ProxyService } from '#core/proxy/proxy-service.ts';
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

/** Invokes the streaming handler once and returns the answer's prelude (status and headers). */
async function invoke(handler: StreamingLambdaHandler) {
  let prelude: Extract<PreludeReadResult, { state: 'complete' }>['prelude'] | undefined;
  const reader = new PreludeReader(() => stream.contentType);
  const stream = new LambdaResponseStream({
    write(chunk, done) {
      if (prelude === undefined) {
        const result = reader.push(chunk);
        if (result.state === 'complete') prelude = result.prelude;
      }
      done();
    },
    end() {},
  });
  const event = buildProxyEvent({
    method: 'POST',
    rawUrl: '/api/proxy/openai/v1/chat/completions',
    rawHeaders: ['content-type', 'application/json'],
    sourceIp: '127.0.0.1',
    body: new TextEncoder().encode('{}'),
  });
  await handler(event, stream, buildLambdaContext({ timeoutMs: 60_000 }));
  return prelude;
}

describe('proxy handler: an unexpected failure', () => {
  it('answers 500 with the time Metrion spent in server-timing', async () => {
    // Arrange: the core fails 2.5 ms after arrival with an error no code maps
    const clock = new FakeClock({ startMs: Date.parse('2026-12-01T12:00:00.000Z') });
    const proxy: ProxyService = {
      async handle() {
        clock.advance(2.5);
        throw new Error('bug');
      },
    };
    const handler = createProxyHandler({
      proxy,
      clock,
      logger: SILENT_LOGGER,
      corsAllowedOrigins: [],
    }) as unknown as StreamingLambdaHandler;

    // Act
    const answer = await invoke(handler);

    // Assert
    expect(answer?.statusCode).toBe(500);
    expect(answer?.headers['server-timing']).toBe('overhead;dur=2.5;desc="Metrion overhead"');
  });
});
