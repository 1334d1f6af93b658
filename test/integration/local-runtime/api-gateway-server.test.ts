import { setTimeout as sleep } from 'node:timers/promises';
import middy from '@middy/core';
import { executionModeStreamifyResponse } from '@middy/core/StreamifyResponse';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { gate, readChunk, readRest, serve } from './serve.ts';

const encoder = new TextEncoder();

interface StreamedResult {
  statusCode: number;
  headers: Record<string, string>;
  body: ReadableStream<Uint8Array>;
}

/** The handler shape the proxy uses: middy in streamify mode returning a web stream body. */
function streamingHandler(
  respond: (event: APIGatewayProxyEvent, context: Context) => Promise<StreamedResult>,
) {
  return middy(respond, {
    executionMode: executionModeStreamifyResponse,
    timeoutEarlyInMillis: 0,
  });
}

function bodyOf(pull: (controller: ReadableStreamDefaultController<Uint8Array>) => Promise<void>) {
  return new ReadableStream<Uint8Array>({ pull });
}

describe('local API Gateway, streaming handlers', () => {
  it('delivers status, headers and the first chunk before the handler produces the last one', async () => {
    // Arrange
    const release = gate();
    let lastProduced = false;
    let step = 0;
    const handler = streamingHandler(async () => ({
      statusCode: 201,
      headers: { 'Content-Type': 'text/event-stream', 'X-Metrion-Test': 'yes' },
      body: bodyOf(async (controller) => {
        step += 1;
        if (step === 1) return controller.enqueue(encoder.encode('data: one\n\n'));
        await release.opened;
        lastProduced = true;
        controller.enqueue(encoder.encode('data: two\n\n'));
        controller.close();
      }),
    }));
    const { url } = await serve(handler);

    // Act
    const response = await fetch(`${url}/stream`, { method: 'POST', body: '{}' });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await readChunk(reader);

    // Assert
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('x-metrion-test')).toBe('yes');
    expect(first).toBe('data: one\n\n');
    expect(lastProduced).toBe(false);
    release.open();
    expect(await readRest(reader)).toBe('data: two\n\n');
  });

  it('forwards each chunk as it is produced, without buffering', async () => {
    // Arrange: the handler produces chunk n+1 only once the client has chunk n (or, should the
    // server buffer, after a long wait, so the order below shows it instead of a hang)
    const events: string[] = [];
    const pieces = ['alpha ', 'beta ', 'gamma'];
    const received = pieces.map(() => gate());
    let produced = 0;
    const handler = streamingHandler(async () => ({
      statusCode: 200,
      headers: { 'Content-Type': 'text/plain' },
      body: bodyOf(async (controller) => {
        const next = pieces[produced];
        if (next === undefined) return controller.close();
        const previous = received[produced - 1];
        if (previous !== undefined) await Promise.race([previous.opened, sleep(10_000)]);
        events.push(`produced ${next}`);
        produced += 1;
        controller.enqueue(encoder.encode(next));
      }),
    }));
    const { url } = await serve(handler);

    // Act
    const response = await fetch(url);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    for (
      let chunk = await readChunk(reader);
      chunk !== undefined;
      chunk = await readChunk(reader)
    ) {
      events.push(`received ${chunk}`);
      received[events.filter((event) => event.startsWith('received')).length - 1]?.open();
    }

    // Assert: chunk n reached the client before chunk n+1 existed
    expect(events).toEqual(pieces.flatMap((piece) => [`produced ${piece}`, `received ${piece}`]));
  });

  it('passes binary and UTF-8 bytes through exactly, also when a character spans two chunks', async () => {
    const allBytes = Uint8Array.from({ length: 512 }, (_, index) => index % 256);
    const euro = encoder.encode('Prix: 5 €, 😀 ok');
    const split = euro.indexOf(0xe2) + 1;
    const chunks = [allBytes, euro.subarray(0, split), euro.subarray(split), new Uint8Array()];
    const handler = streamingHandler(async () => ({
      statusCode: 200,
      headers: { 'Content-Type': 'application/octet-stream' },
      body: bodyOf(async (controller) => {
        const next = chunks.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(next);
      }),
    }));
    const { url } = await serve(handler);

    const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());

    expect(Buffer.from(bytes)).toEqual(Buffer.concat([allBytes, euro]));
  });

  it('emits the runtime wire format from awslambda.HttpResponseStream.from, cookies included', async () => {
    const handler = awslambda.streamifyResponse(async (_event, responseStream) => {
      const stream = awslambda.HttpResponseStream.from(responseStream, {
        statusCode: 207,
        headers: { 'Content-Type': 'text/plain', 'X-Count': 3 },
        cookies: ['a=1; Path=/', 'b=2; HttpOnly'],
      });
      stream.write('hello ');
      stream.end('world');
    });
    const { url } = await serve(handler);

    const response = await fetch(url);

    expect(response.status).toBe(207);
    expect(response.headers.get('x-count')).toBe('3');
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
    expect(await response.text()).toBe('hello world');
  });

  it('answers 502 like API Gateway when the handler throws before writing the prelude', async () => {
    const handler = streamingHandler(async () => {
      throw new Error('boom before the first byte');
    });
    const { url, errors } = await serve(handler);

    const response = await fetch(url, { method: 'POST' });

    expect(response.status).toBe(502);
    expect(response.headers.get('x-amzn-errortype')).toBe('InternalServerErrorException');
    expect(await response.json()).toEqual({ message: 'Internal server error' });
    expect(errors).toEqual([expect.objectContaining({ message: 'boom before the first byte' })]);
  });

  it('answers 502 when a streaming handler never writes the HTTP integration prelude', async () => {
    const handler = awslambda.streamifyResponse(async (_event, responseStream) => {
      responseStream.write('raw bytes without a prelude');
      responseStream.end();
    });
    const { url, errors } = await serve(handler);

    const response = await fetch(url);

    expect(response.status).toBe(502);
    expect(String(errors[0])).toMatch(/HTTP integration format/);
  });

  it('destroys the Lambda response stream when the client disconnects, which cancels the body source', async () => {
    // Arrange: a source that keeps producing, like an LLM emitting tokens.
    const cancelled = gate();
    const handler = streamingHandler(async () => ({
      statusCode: 200,
      headers: { 'Content-Type': 'text/event-stream' },
      body: new ReadableStream<Uint8Array>({
        pull: async (controller) => {
          await sleep(20);
          controller.enqueue(encoder.encode('data: token\n\n'));
        },
        cancel: () => cancelled.open(),
      }),
    }));
    const { url, errors } = await serve(handler);
    const abort = new AbortController();

    // Act
    const response = await fetch(url, { signal: abort.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect(await readChunk(reader)).toMatch(/^data: token/);
    abort.abort();

    // Assert
    await cancelled.opened;
    expect(errors).toEqual([]);
  });

  /**
   * Pinned Node behaviour: pipeline() from a web ReadableStream only notices a destroyed
   * destination when the source yields its next chunk, so a stalled upstream is not cancelled
   * by a client disconnect alone. The proxy's own upstream timeout must cover that case.
   */
  it('cancels a stalled body source only once it yields again after the client left', async () => {
    const cancelled = gate();
    const resume = gate();
    let cancelledEarly = false;
    let pulls = 0;
    const handler = streamingHandler(async () => ({
      statusCode: 200,
      headers: { 'Content-Type': 'text/event-stream' },
      body: new ReadableStream<Uint8Array>({
        pull: async (controller) => {
          pulls += 1;
          if (pulls > 1) await resume.opened;
          controller.enqueue(encoder.encode(`data: ${pulls}\n\n`));
        },
        cancel: () => cancelled.open(),
      }),
    }));
    const { url } = await serve(handler);
    const abort = new AbortController();
    const response = await fetch(url, { signal: abort.signal });
    await (response.body as ReadableStream<Uint8Array>).getReader().read();

    abort.abort();
    await Promise.race([cancelled.opened.then(() => (cancelledEarly = true)), sleep(150)]);
    resume.open();

    expect(cancelledEarly).toBe(false);
    await cancelled.opened;
  });

  it('lets a streaming response run past the 29 s integration timeout (scaled down here)', async () => {
    const handler = streamingHandler(async () => ({
      statusCode: 200,
      headers: { 'Content-Type': 'text/plain' },
      body: bodyOf(async (controller) => {
        await sleep(150);
        controller.enqueue(encoder.encode('late but fine'));
        controller.close();
      }),
    }));
    const { url } = await serve(handler, { integrationTimeoutMs: 50 });

    const response = await fetch(url);

    expect(response.status).toBe(200);
    expect(await response.text()).toBe('late but fine');
  });

  it('cuts a streaming response at its own timeout and cancels the source', async () => {
    const cancelled = gate();
    const handler = streamingHandler(async () => ({
      statusCode: 200,
      headers: { 'Content-Type': 'text/plain' },
      body: new ReadableStream<Uint8Array>({
        pull: async (controller) => {
          await sleep(20);
          controller.enqueue(encoder.encode('.'));
        },
        cancel: () => cancelled.open(),
      }),
    }));
    const { url, errors } = await serve(handler, { streamingTimeoutMs: 150 });

    const response = await fetch(url);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();

    expect(response.status).toBe(200);
    await expect(readRest(reader)).rejects.toThrow(/terminated/);
    await cancelled.opened;
    expect(String(errors[0])).toMatch(/timed out/);
  });
});

describe('local API Gateway, idle', () => {
  it('is idle only once a handler has done its work after the answer (requestEnd)', async () => {
    // Arrange: like the proxy writing its record, the handler works on after the last byte.
    const written = gate();
    let recorded = false;
    const handler = middy(
      async () => ({
        statusCode: 200,
        headers: { 'Content-Type': 'text/plain' },
        body: bodyOf(async (controller) => {
          controller.enqueue(encoder.encode('answered'));
          controller.close();
        }),
      }),
      {
        executionMode: executionModeStreamifyResponse,
        timeoutEarlyInMillis: 0,
        requestEnd: async () => {
          await written.opened;
          recorded = true;
        },
      },
    );
    const { url, idle } = await serve(handler);

    // Act: the client has the whole answer; then the work after it ends.
    const answer = await (await fetch(url)).text();
    const recordedWhenIdle = idle().then(() => recorded);
    written.open();

    // Assert
    expect(answer).toBe('answered');
    expect(await recordedWhenIdle).toBe(true);
  });
});

/**
 * middy 7 streamify mode, pinned: once `HttpResponseStream.from` has been written (middy writes
 * it as soon as the handler returns `{ statusCode, body }`), an error from the body stream makes
 * pipeline() reject and the streamified handler reject. `onError` middlewares do NOT run (they
 * only wrap the handler and before/after middlewares, which have all returned by then). The
 * status and headers are already on the wire, so the client sees them, the bytes sent so far,
 * then a connection cut (an incomplete chunked body). A handler must therefore turn mid-stream
 * failures into in-band data (the provider's SSE error event) itself, before they reach middy.
 */
describe('middy 7 streamify mode, errors after the prelude', () => {
  it('does not run onError for a body stream error; the client gets the headers, the partial body, then a cut', async () => {
    // Arrange
    const onError = vi.fn();
    let sentChunks = 0;
    const handler = streamingHandler(async () => ({
      statusCode: 200,
      headers: { 'Content-Type': 'text/event-stream', 'X-Before-Error': 'sent' },
      body: bodyOf(async (controller) => {
        sentChunks += 1;
        if (sentChunks === 1) return controller.enqueue(encoder.encode('data: partial\n\n'));
        await sleep(20);
        controller.error(new Error('upstream broke mid-stream'));
      }),
    })).use({ onError });
    const { url, errors } = await serve(handler);

    // Act
    const response = await fetch(url);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await readChunk(reader);
    const rest = readRest(reader);

    // Assert
    expect(response.status).toBe(200);
    expect(response.headers.get('x-before-error')).toBe('sent');
    expect(first).toBe('data: partial\n\n');
    await expect(rest).rejects.toThrow(/terminated/);
    expect(onError).not.toHaveBeenCalled();
    expect(errors).toEqual([expect.objectContaining({ message: 'upstream broke mid-stream' })]);
  });

  it('runs onError for an error thrown before the response is returned, and streams its response', async () => {
    const handler = streamingHandler(async () => {
      throw new Error('rejected before any byte');
    }).use({
      onError: (request) => {
        request.response = {
          statusCode: 429,
          headers: { 'Content-Type': 'application/json', 'Retry-After': '7' },
          body: JSON.stringify({ error: { message: request.error?.message } }),
        };
      },
    });
    const { url, errors } = await serve(handler);

    const response = await fetch(url);

    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(await response.json()).toEqual({ error: { message: 'rejected before any byte' } });
    expect(errors).toEqual([]);
  });
});

describe('local API Gateway, standard handlers', () => {
  it('writes the proxy result: status, headers, multi-value headers and a base64 body', async () => {
    const payload = Uint8Array.from([0, 255, 1, 254, 0x80]);
    const handler = async (): Promise<APIGatewayProxyResult> => ({
      statusCode: 202,
      headers: { 'Content-Type': 'application/octet-stream', 'X-Single': 'one' },
      multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] },
      body: Buffer.from(payload).toString('base64'),
      isBase64Encoded: true,
    });
    const { url } = await serve(handler);

    const response = await fetch(url);

    expect(response.status).toBe(202);
    expect(response.headers.get('x-single')).toBe('one');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(payload);
  });

  it('defaults the content type to JSON as API Gateway does', async () => {
    const { url } = await serve(async () => ({ statusCode: 200, body: '{"ok":true}' }));

    const response = await fetch(url);

    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ ok: true });
  });

  it('answers 502 when the handler throws or returns a malformed result', async () => {
    const thrower = await serve(async () => {
      throw new Error('standard boom');
    });
    const malformed = await serve(async () => ({ body: 'no status' }));

    const thrown = await fetch(thrower.url);
    const bad = await fetch(malformed.url);

    expect(thrown.status).toBe(502);
    expect(await thrown.json()).toEqual({ message: 'Internal server error' });
    expect(bad.status).toBe(502);
    expect(thrower.errors).toEqual([expect.objectContaining({ message: 'standard boom' })]);
  });

  it('answers 504 when the integration timeout passes (29 s, scaled down here)', async () => {
    const { url } = await serve(
      async () => {
        await sleep(300);
        return { statusCode: 200, body: 'too late' };
      },
      { integrationTimeoutMs: 50 },
    );

    const response = await fetch(url);

    expect(response.status).toBe(504);
    expect(await response.json()).toEqual({ message: 'Endpoint request timed out' });
  });
});

describe('local API Gateway, requests', () => {
  async function echoEvent(init: RequestInit & { path?: string }) {
    let seen:
      | { event: APIGatewayProxyEvent; context: Context; remainingMs: number; checkedAtMs: number }
      | undefined;
    const { url } = await serve(async (event: APIGatewayProxyEvent, context: Context) => {
      const remainingMs = context.getRemainingTimeInMillis();
      seen = { event, context, remainingMs, checkedAtMs: Date.now() };
      return { statusCode: 204, body: '' };
    });
    const sentAtMs = Date.now();
    await fetch(
      `${url}${init.path ?? '/api/proxy/openai/v1/chat/completions?a=1&a=2&b=x%20y'}`,
      init,
    );
    const answeredAtMs = Date.now();
    if (!seen) throw new Error('handler not called');
    return { ...seen, sentAtMs, answeredAtMs };
  }

  it('builds a REST API v1 proxy event: method, path, header case, query maps, request context', async () => {
    const { event, context, remainingMs, checkedAtMs, sentAtMs, answeredAtMs } = await echoEvent({
      method: 'POST',
      headers: { 'X-Api-Key': 'sk-test', 'x-Metrion-User': 'agent-7' },
      body: '{"model":"gpt-4o-mini"}',
    });

    expect(event.httpMethod).toBe('POST');
    expect(event.path).toBe('/api/proxy/openai/v1/chat/completions');
    expect(event.headers['X-Api-Key']).toBe('sk-test');
    expect(event.headers['x-Metrion-User']).toBe('agent-7');
    expect(event.multiValueHeaders['x-Metrion-User']).toEqual(['agent-7']);
    expect(event.queryStringParameters).toEqual({ a: '2', b: 'x y' });
    expect(event.multiValueQueryStringParameters).toEqual({ a: ['1', '2'], b: ['x y'] });
    expect(event.body).toBe('{"model":"gpt-4o-mini"}');
    expect(event.isBase64Encoded).toBe(false);
    expect(event.requestContext).toMatchObject({
      httpMethod: 'POST',
      stage: 'local',
      identity: { sourceIp: '127.0.0.1' },
    });
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    // Times are bracketed by the test's own readings, so a slow machine widens them, never fails.
    expect(event.requestContext.requestTimeEpoch).toBeGreaterThanOrEqual(sentAtMs);
    expect(event.requestContext.requestTimeEpoch).toBeLessThanOrEqual(answeredAtMs);
    expect(context.functionName).toBe('test-function');
    // The 29 s countdown started between the send and the handler's reading.
    expect(remainingMs).toBeLessThanOrEqual(29_000);
    expect(remainingMs).toBeGreaterThanOrEqual(29_000 - (checkedAtMs - sentAtMs));
  });

  it('keeps UTF-8 bodies as text and base64-encodes bodies that are not valid UTF-8', async () => {
    const text = await echoEvent({ method: 'POST', body: 'héllo 😀' });
    const binary = Uint8Array.from([0xff, 0xfe, 0x00, 0x41]);
    const raw = await echoEvent({ method: 'POST', body: binary });

    expect(text.event).toMatchObject({ body: 'héllo 😀', isBase64Encoded: false });
    expect(raw.event.isBase64Encoded).toBe(true);
    expect(Buffer.from(raw.event.body ?? '', 'base64')).toEqual(Buffer.from(binary));
  });

  it('sets null query maps and a null body when there are none', async () => {
    const { event } = await echoEvent({ method: 'GET', path: '/plain' });

    expect(event).toMatchObject({
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      body: null,
    });
  });

  it('answers 413 for bodies over the 10 MB API Gateway limit', async () => {
    const handler = vi.fn(async () => ({ statusCode: 200, body: '' }));
    const { url } = await serve(handler);

    const response = await fetch(url, {
      method: 'POST',
      body: new Uint8Array(10 * 1024 * 1024 + 1),
    });

    expect(response.status).toBe(413);
    expect(handler).not.toHaveBeenCalled();
  });

  it('answers 403 Missing Authentication Token on unknown paths, or uses the fallback', async () => {
    const bare = await serve(async () => ({ statusCode: 200, body: '' }), {
      routes: [{ matches: (path) => path === '/known', handler: async () => ({}) }],
    });
    const withFallback = await serve(async () => ({ statusCode: 200, body: '' }), {
      routes: [],
      fallback: (_req, res) => res.writeHead(200).end('static'),
    });

    const missing = await fetch(`${bare.url}/unknown`);
    const fallback = await fetch(`${withFallback.url}/index.html`);

    expect(missing.status).toBe(403);
    expect(await missing.json()).toEqual({ message: 'Missing Authentication Token' });
    expect(await fallback.text()).toBe('static');
  });

  it('answers unmatched paths under the API prefix with the configured gateway response', async () => {
    const { url } = await serve(null, {
      routes: [],
      routeNotFound: {
        pathPrefix: '/api',
        response: { statusCode: 404, headers: { 'content-type': 'application/json' }, body: '{}' },
      },
      fallback: (_req, res) => res.writeHead(200).end('static'),
    });

    const [api, apiRoot, page, lookalike] = await Promise.all(
      ['/api/nope', '/api', '/index.html', '/apix'].map((path) => fetch(`${url}${path}`)),
    );

    expect([api?.status, apiRoot?.status]).toEqual([404, 404]);
    expect(api?.headers.get('x-amzn-requestid')).toBeTruthy();
    expect(await page?.text()).toBe('static');
    expect(await lookalike?.text()).toBe('static');
  });

  it('derives path parameters from a {proxy+} resource', async () => {
    let event: APIGatewayProxyEvent | undefined;
    const { url } = await serve(null, {
      routes: [
        {
          matches: (path) => path.startsWith('/api/'),
          resource: '/api/{proxy+}',
          handler: async (received: APIGatewayProxyEvent) => {
            event = received;
            return { statusCode: 204, body: '' };
          },
        },
      ],
    });

    await fetch(`${url}/api/settings/general`);

    expect(event).toMatchObject({
      resource: '/api/{proxy+}',
      pathParameters: { proxy: 'settings/general' },
    });
  });
});
