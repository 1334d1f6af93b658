import middy from '@middy/core';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { UnauthorizedError } from '#core/errors.ts';
import { accessLog } from '#handlers/http/access-log.ts';
import { httpErrorHandler } from '#handlers/http/error-middleware.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';
import { lambdaContext, proxyEvent } from '../../../fixtures/events/api-gateway.ts';
import { SILENT_LOGGER } from '../../../fixtures/silent-logger.ts';

function handlerThat(run: (clock: FakeClock) => Promise<APIGatewayProxyResult>) {
  const clock = new FakeClock();
  const lines: { message: string; fields?: Record<string, unknown> }[] = [];
  const handler = middy(() => run(clock))
    .use(
      accessLog({
        logger: { ...SILENT_LOGGER, info: (message, fields) => lines.push({ message, fields }) },
        clock,
        message: 'test request',
        route: (event) => `route of ${event.path}`,
      }),
    )
    .use(httpErrorHandler({ envelope: 'api', logger: SILENT_LOGGER }));
  return {
    lines,
    invoke: () => handler(proxyEvent({ url: '/api/x', method: 'GET' }), lambdaContext()),
  };
}

describe('accessLog', () => {
  it('logs route, status and latency of an answered request', async () => {
    const { lines, invoke } = handlerThat(async (clock) => {
      clock.advance(12);
      return { statusCode: 200, body: '{}' };
    });

    await invoke();

    expect(lines).toEqual([
      {
        message: 'test request',
        fields: expect.objectContaining({
          method: 'GET',
          route: 'route of /api/x',
          status: 200,
          latencyMs: 12,
        }),
      },
    ]);
  });

  it('logs the status the error middleware answered a failure with', async () => {
    const { lines, invoke } = handlerThat(async () => {
      throw new UnauthorizedError('Sign in.');
    });

    expect((await invoke()).statusCode).toBe(401);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.fields).toMatchObject({ status: 401 });
  });
});
