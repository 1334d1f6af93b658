import middy from '@middy/core';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  InternalError,
  InvalidRequestError,
  LimitReachedError,
  MethodNotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
  UnauthorizedError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from '#core/errors.ts';
import type { Logger } from '#core/ports/logger.ts';
import { type HttpErrorHandlerOptions, httpErrorHandler } from '#handlers/http/error-middleware.ts';
import { lambdaContext, proxyEvent } from '../../../fixtures/events/api-gateway.ts';

const REQUEST_ID = 'req-0123';

interface LoggedLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: Record<string, unknown> | undefined;
}

function recordingLogger(): { lines: LoggedLine[]; logger: Logger } {
  const lines: LoggedLine[] = [];
  return {
    lines,
    logger: {
      info: (message, fields) => lines.push({ level: 'info', message, fields }),
      warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
      error: (message, fields) => lines.push({ level: 'error', message, fields }),
    },
  };
}

/** Runs a handler that throws `error` through the middleware, like a Lambda invocation. */
async function answer(
  error: unknown,
  options: Partial<HttpErrorHandlerOptions> & { url?: string } = {},
) {
  const { lines, logger } = recordingLogger();
  const handler = middy(async (): Promise<APIGatewayProxyResult> => {
    throw error;
  }).use(httpErrorHandler({ envelope: 'api', logger, ...options }));
  const response = await handler(
    proxyEvent({ url: options.url ?? '/api/me', requestId: REQUEST_ID }),
    lambdaContext(),
  );
  return { response, json: JSON.parse(response.body), lines };
}

describe('httpErrorHandler', () => {
  it('answers a MetrionError with its status, code and message in the dashboard envelope', async () => {
    const { response, json } = await answer(new InvalidRequestError('Send a name.'));

    expect(response.statusCode).toBe(400);
    expect(json).toEqual({ error: { code: 'invalid_request', message: 'Send a name.' } });
  });

  it('sets no-store, nosniff, JSON and the request id on every error', async () => {
    for (const error of [new NotFoundError('No.'), new Error('boom')]) {
      const { response } = await answer(error);
      expect(response.headers).toMatchObject({
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'content-type': 'application/json; charset=utf-8',
        'x-metrion-request-id': REQUEST_ID,
      });
    }
  });

  it.each([
    ['the proxy', new AuthenticationError('Unknown key.')],
    ['the dashboard', new UnauthorizedError('Sign in.')],
  ])('asks for a Bearer token on a 401 from %s', async (_surface, error) => {
    const { response } = await answer(error);

    expect(response.statusCode).toBe(401);
    expect(response.headers?.['www-authenticate']).toBe('Bearer');
  });

  it('sets no www-authenticate, allow or retry-after where they do not apply', async () => {
    const { response } = await answer(new NotFoundError('No.'));

    expect(response.headers).not.toHaveProperty('www-authenticate');
    expect(response.headers).not.toHaveProperty('allow');
    expect(response.headers).not.toHaveProperty('retry-after');
  });

  it('lists the allowed methods on a 405', async () => {
    const { response } = await answer(new MethodNotAllowedError('Use PUT.', ['PUT', 'DELETE']));

    expect(response.statusCode).toBe(405);
    expect(response.headers?.allow).toBe('PUT, DELETE');
  });

  it('says when to retry on a 429', async () => {
    const { response } = await answer(new LimitReachedError('Slow down.', 17));

    expect(response.statusCode).toBe(429);
    expect(response.headers?.['retry-after']).toBe('17');
  });

  it('answers an unknown error with a generic 500 naming the request id and nothing else', async () => {
    const secret = 'sk-metrion-0123456789abcdef0123456789abcdef';
    const { response, json } = await answer(new TypeError(`cannot read ${secret}`));

    expect(response.statusCode).toBe(500);
    expect(json.error.code).toBe('internal_error');
    expect(json.error.message).toContain(REQUEST_ID);
    expect(response.body).not.toContain(secret);
    expect(response.body).not.toContain('TypeError');
  });

  it('answers a thrown non-Error value with the same generic 500', async () => {
    const { response, json, lines } = await answer('a string');

    expect(response.statusCode).toBe(500);
    expect(json.error.code).toBe('internal_error');
    expect(lines).toHaveLength(1);
  });

  it('logs a server error once, with the request id and the error but not the response', async () => {
    // Arrange
    const failure = new Error('socket hang up');

    // Act
    const { lines } = await answer(failure);

    // Assert
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line?.level).toBe('error');
    expect(line?.fields).toMatchObject({
      requestId: REQUEST_ID,
      status: 500,
      error: { name: 'Error', message: 'socket hang up', stack: expect.any(String) },
    });
    expect(JSON.stringify(line?.fields)).not.toContain('internal_error');
  });

  it('logs the failure an InternalError wraps, not the wrapper, and answers its generic message', async () => {
    const bug = new TypeError('x is undefined');

    const { response, json, lines } = await answer(new InternalError(REQUEST_ID, bug));

    expect(response.statusCode).toBe(500);
    expect(json.error.message).toContain(REQUEST_ID);
    expect(json.error.message).not.toContain('x is undefined');
    expect(lines[0]?.fields?.error).toMatchObject({ name: 'TypeError', message: 'x is undefined' });
  });

  it('logs a MetrionError 5xx with its code, and an outage with its service and cause name only', async () => {
    const cause = Object.assign(new Error('key ACCOUNT#secret-digest'), { name: 'InternalError' });
    const outage = new ServiceUnavailableError('Retry soon.', {
      service: 'dynamodb',
      operation: 'GetItem',
      cause,
    });

    const { response, lines } = await answer(outage);

    expect(response.statusCode).toBe(503);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.fields?.error).toMatchObject({
      code: 'service_unavailable',
      service: 'dynamodb',
      operation: 'GetItem',
      retryable: true,
      cause: 'InternalError',
    });
    expect(JSON.stringify(lines[0]?.fields)).not.toContain('secret-digest');
  });

  it.each([
    [502, new UpstreamUnavailableError('OpenAI could not be reached.')],
    [504, new UpstreamTimeoutError('OpenAI sent no response headers within 30 s.')],
  ])('logs a provider failure (%i) as one warning line without a stack', async (status, error) => {
    const { response, lines } = await answer(error, { envelope: () => 'openai' });

    expect(response.statusCode).toBe(status);
    expect(lines).toEqual([
      {
        level: 'warn',
        message: 'provider failed',
        fields: {
          requestId: REQUEST_ID,
          status,
          error: { code: error.code, message: error.message },
        },
      },
    ]);
  });

  it('counts each 5xx of its own as one MetrionErrors, never a provider failure or a client error', async () => {
    const own = await answer(new Error('boom'));
    expect(own.response.statusCode).toBe(500);
    expect(own.lines.map((line) => line.fields?.metrics)).toEqual([{ MetrionErrors: 1 }]);
    const provider = await answer(new UpstreamTimeoutError('Slow.'), { envelope: () => 'openai' });
    expect(provider.lines.map((line) => line.fields?.metrics)).toEqual([undefined]);
    expect((await answer(new InvalidRequestError('Bad.'))).lines).toEqual([]);
  });

  it('does not log client errors', async () => {
    for (const error of [
      new InvalidRequestError('Bad.'),
      new UnauthorizedError('Sign in.'),
      new LimitReachedError('Slow down.', 1),
    ]) {
      expect((await answer(error)).lines).toEqual([]);
    }
  });

  it.each([
    ['anthropic', { type: 'error', error: { type: 'not_found_error', message: 'No.' } }],
    ['openai', { error: { message: 'No.', type: 'not_found_error', code: 'not_found' } }],
  ] as const)(
    'answers in the %s envelope when the request names that wire format',
    async (wireFormat, body) => {
      const { json } = await answer(new NotFoundError('No.'), { envelope: () => wireFormat });

      expect(json).toEqual(body);
    },
  );

  it('uses the provider envelope for unknown errors and outages too', async () => {
    const unknown = await answer(new Error('boom'), { envelope: () => 'anthropic' });
    const timeout = await answer(new UpstreamTimeoutError('Too slow.'), {
      envelope: () => 'openai',
    });

    expect(unknown.json).toMatchObject({ type: 'error', error: { type: 'api_error' } });
    expect(timeout.response.statusCode).toBe(504);
    expect(timeout.json).toEqual({
      error: { message: 'Too slow.', type: 'api_error', code: 'upstream_timeout' },
    });
  });

  it('adds the extra headers without letting them replace its own', async () => {
    const { response } = await answer(new NotFoundError('No.'), {
      headers: () => ({
        'access-control-allow-origin': 'https://app.example',
        'cache-control': 'max-age=60',
      }),
    });

    expect(response.headers).toMatchObject({
      'access-control-allow-origin': 'https://app.example',
      'cache-control': 'no-store',
    });
  });
});
