// One request, timed, two ways: through the streaming Lambda handler as the runtime invokes it
// (REST proxy event, the runtime's response stream, a fresh context), and straight to the
// upstream client, read to the end the same way. No sockets on either side.
import { performance } from 'node:perf_hooks';
import { finished } from 'node:stream/promises';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { UpstreamClient, UpstreamRequest } from '#core/ports/upstream-client.ts';
import { buildLambdaContext } from '#local/api-gateway-event.ts';
import { LambdaResponseStream, PreludeReader } from '#local/api-gateway-response-stream.ts';
import type { StreamingLambdaHandler } from '#local/awslambda-shim.ts';

/** Milliseconds from the call, as the caller and the bill see them. */
export interface Timing {
  /** Until the first body byte. */
  readonly ttfbMs: number;
  /** Until the last body byte: the latency the caller sees. */
  readonly totalMs: number;
  /** Until the invocation ended (after `settled`): the duration Lambda bills. */
  readonly billedMs: number;
}

/** The proxy's function timeout (the context counts down from it; middy reads it). */
const FUNCTION_TIMEOUT_MS = 900_000;

/**
 * Invokes `handler` the way the Lambda runtime does for a streaming function and waits for both
 * the handler's promise and the end of its stream, as the local API Gateway does.
 * @throws Error when the answer is not a 200 with a body: the bench would measure a failure.
 */
export async function invokeHandler(
  handler: StreamingLambdaHandler,
  event: APIGatewayProxyEvent,
): Promise<Timing> {
  const context = buildLambdaContext({
    timeoutMs: FUNCTION_TIMEOUT_MS,
    awsRequestId: event.requestContext.requestId,
  });
  const startedAt = performance.now();
  let firstByteAt: number | undefined;
  let lastByteAt: number | undefined;
  let status: number | undefined;
  const unreadable: string[] = [];
  // Only a failure's body is kept (for the error message): a 200's bytes are just counted.
  const failureBody: Buffer[] = [];
  const reader = new PreludeReader(() => stream.contentType);
  const stream = new LambdaResponseStream({
    write(chunk, done) {
      let body = chunk;
      if (status === undefined) {
        const result = reader.push(chunk);
        if (result.state === 'invalid') unreadable.push(result.reason);
        if (result.state !== 'complete') return done();
        status = result.prelude.statusCode;
        body = result.rest;
        if (body.byteLength === 0) return done();
      }
      firstByteAt ??= performance.now();
      if (status !== 200) failureBody.push(body);
      done();
    },
    end() {
      lastByteAt = performance.now();
    },
  });
  await Promise.all([handler(event, stream, context), finished(stream)]);
  const billedAt = performance.now();
  if (status !== 200 || firstByteAt === undefined || lastByteAt === undefined) {
    const body = Buffer.concat(failureBody).toString('utf8').slice(0, 500);
    throw new Error(`${event.path}: HTTP ${status ?? 'none'} ${body} ${unreadable.join('; ')}`);
  }
  return {
    ttfbMs: firstByteAt - startedAt,
    totalMs: lastByteAt - startedAt,
    billedMs: billedAt - startedAt,
  };
}

/** Sends `request` to `upstream` and reads the body to its end. */
export async function callDirectly(
  upstream: UpstreamClient,
  request: Omit<UpstreamRequest, 'signal'>,
): Promise<Timing> {
  const startedAt = performance.now();
  const response = await upstream.send({ ...request, signal: new AbortController().signal });
  let firstByteAt: number | undefined;
  const reader = response.body.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    firstByteAt ??= performance.now();
  }
  const endedAt = performance.now();
  if (response.status !== 200 || firstByteAt === undefined) {
    throw new Error(`direct ${request.url}: HTTP ${response.status}`);
  }
  return {
    ttfbMs: firstByteAt - startedAt,
    totalMs: endedAt - startedAt,
    billedMs: endedAt - startedAt,
  };
}
