// Local stand-in for API Gateway (REST API, Lambda proxy integrations) in front of Lambda: turns
// node:http requests into v1 proxy events and calls the SAME handler modules as AWS, streaming
// (ResponseTransferMode.STREAM) or buffered, with API Gateway's limits and error bodies.
import './awslambda-shim.ts';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { finished } from 'node:stream/promises';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { GatewayResponse } from '#contracts/gateway-responses.ts';
import { buildLambdaContext, buildProxyEvent } from './api-gateway-event.ts';
import {
  LambdaResponseStream,
  PreludeReader,
  type ResponsePrelude,
  stringListRecord,
  stringRecord,
} from './api-gateway-response-stream.ts';
import {
  isStreamingHandler,
  type StreamingLambdaHandler,
  streamingHighWaterMark,
} from './awslambda-shim.ts';

/** One API Gateway resource and the Lambda handler behind it. */
export interface LocalRoute {
  /** Whether this route serves the request path (without query string). */
  matches(path: string): boolean;
  /**
   * The handler module's export: streamified (`awslambda.streamifyResponse`, e.g. middy's
   * `executionModeStreamifyResponse`) or a standard async handler returning a proxy result.
   */
  readonly handler: unknown;
  /** API Gateway resource path for `event.resource`, e.g. `/api/{proxy+}`. @default - the path */
  readonly resource?: string | undefined;
  /** Lambda function name in the context. @default 'metrion-local' */
  readonly functionName?: string | undefined;
  /** Lambda function timeout. @default - `streamingTimeoutMs` if streaming, else `integrationTimeoutMs` */
  readonly functionTimeoutMs?: number;
}

/** Options of {@link startApiGatewayServer}. */
export interface ApiGatewayServerOptions {
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Tried in order; the first match serves the request. */
  readonly routes: readonly LocalRoute[];
  /**
   * API Gateway's configured answer for unmatched paths under `pathPrefix` (the API's own
   * paths; CloudFront sends only `/api/*` to API Gateway). @default - 403 `Missing Authentication Token`
   */
  readonly routeNotFound?: { readonly pathPrefix: string; readonly response: GatewayResponse };
  /** Serves requests no route matches outside `routeNotFound.pathPrefix` (CloudFront + S3). */
  readonly fallback?: (req: IncomingMessage, res: ServerResponse) => void;
  /** @default 'local' */
  readonly stage?: string;
  /** Request payload limit. @default 10 MB (API Gateway's) */
  readonly maxRequestBodyBytes?: number;
  /** Integration timeout for non-streaming handlers. @default 29 000 ms (API Gateway's) */
  readonly integrationTimeoutMs?: number;
  /** Longest a streaming response may run. @default 15 min (API Gateway's STREAM limit) */
  readonly streamingTimeoutMs?: number;
  /** Where invocation errors go (Lambda would log them). @default - console.error */
  readonly onInvocationError?: (error: unknown, invocation: InvocationInfo) => void;
}

/** Identifies a failed invocation in {@link ApiGatewayServerOptions.onInvocationError}. */
export interface InvocationInfo {
  readonly requestId: string;
  readonly path: string;
  readonly streaming: boolean;
}

/** A running local API Gateway. */
export interface ApiGatewayServer {
  /** `http://host:port`, without a trailing slash. */
  readonly url: string;
  readonly port: number;
  /**
   * Resolves once no invocation is running, each one's work after its answer (a Lambda's
   * `requestEnd`) included.
   */
  idle(): Promise<void>;
  /** Stops accepting requests and closes open connections. */
  close(): Promise<void>;
}

const MAX_REQUEST_BODY_BYTES = 10 * 1024 * 1024;
const INTEGRATION_TIMEOUT_MS = 29_000;
const STREAMING_TIMEOUT_MS = 15 * 60_000;
// Framing headers belong to the local hop, as they belong to API Gateway's in AWS.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

/** Starts the local API Gateway on node:http and resolves once it listens. */
export async function startApiGatewayServer(
  options: ApiGatewayServerOptions,
): Promise<ApiGatewayServer> {
  const host = options.host ?? '127.0.0.1';
  const running = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    const invocation = handleRequest(req, res, options)
      .catch((error: unknown) => {
        report(options, error, { requestId: 'n/a', path: req.url ?? '', streaming: false });
        if (!res.headersSent) sendGatewayError(res, 502, 'Internal server error', '');
        else res.destroy();
      })
      .finally(() => running.delete(invocation));
    running.add(invocation);
  });
  server.listen(options.port ?? 0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    idle: async () => {
      while (running.size > 0) await Promise.all(running);
    },
    close: async () => {
      const closed = new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      server.closeAllConnections();
      await closed;
    },
  };
}

async function handleRequest(
  req: IncomingMessage,
  res: ServerResponse,
  options: ApiGatewayServerOptions,
): Promise<void> {
  const receivedAt = new Date();
  const rawUrl = req.url ?? '/';
  const path = rawUrl.split('?', 1)[0] ?? '/';
  const route = options.routes.find((candidate) => candidate.matches(path));
  if (!route) {
    const notFound = options.routeNotFound;
    if (notFound && (path === notFound.pathPrefix || path.startsWith(`${notFound.pathPrefix}/`))) {
      return sendGatewayResponse(res, notFound.response, randomUUID());
    }
    if (options.fallback) return options.fallback(req, res);
    return sendGatewayError(res, 403, 'Missing Authentication Token', randomUUID());
  }
  const requestId = randomUUID();
  const body = await readBody(req, options.maxRequestBodyBytes ?? MAX_REQUEST_BODY_BYTES);
  if (body === 'too-large') {
    return sendGatewayError(res, 413, 'Request Too Long', requestId, { Connection: 'close' });
  }
  const event = buildProxyEvent({
    method: req.method ?? 'GET',
    rawUrl,
    rawHeaders: withForwardedHeaders(req),
    body,
    sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
    resource: route.resource,
    stage: options.stage ?? 'local',
    requestId,
    receivedAt,
  });
  const streaming = isStreamingHandler(route.handler);
  const integrationTimeoutMs = options.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS;
  const streamingTimeoutMs = options.streamingTimeoutMs ?? STREAMING_TIMEOUT_MS;
  const functionTimeoutMs =
    route.functionTimeoutMs ?? (streaming ? streamingTimeoutMs : integrationTimeoutMs);
  // The context counts down the function timeout; middy's timeoutEarly works from it.
  const context = buildLambdaContext({
    functionName: route.functionName,
    timeoutMs: functionTimeoutMs,
  });
  const invocation: InvocationInfo = { requestId, path, streaming };
  res.setHeader('x-amzn-RequestId', requestId);
  if (streaming) {
    await invokeStreaming(route.handler, event, context, res, {
      timeoutMs: Math.min(streamingTimeoutMs, functionTimeoutMs),
      onError: (error) => report(options, error, invocation),
    });
  } else {
    await invokeBuffered(route.handler, event, context, res, {
      timeoutMs: integrationTimeoutMs,
      onError: (error) => report(options, error, invocation),
    });
  }
}

interface InvokeOptions {
  readonly timeoutMs: number;
  readonly onError: (error: unknown) => void;
}

/**
 * Streaming integration: bytes reach the client as the handler writes them. The prelude sets
 * status and headers (flushed at once); a failure before it is a 502 (504 on timeout), a
 * failure after it cuts the connection, since the status line is already on the wire.
 */
async function invokeStreaming(
  handler: StreamingLambdaHandler,
  event: APIGatewayProxyEvent,
  context: Context,
  res: ServerResponse,
  options: InvokeOptions,
): Promise<void> {
  let bodyStarted = false;
  let invalidReason: string | undefined;
  const reader = new PreludeReader(() => stream.contentType);
  const writeBody = (chunk: Buffer, done: (error?: Error | null) => void) => {
    if (chunk.byteLength === 0 || res.write(chunk)) return done();
    const settle = () => {
      res.off('drain', settle);
      res.off('close', settle);
      done();
    };
    res.on('drain', settle);
    res.on('close', settle);
  };
  const highWaterMark = streamingHighWaterMark(handler);
  const stream = new LambdaResponseStream(
    {
      write: (chunk, done) => {
        if (bodyStarted) return writeBody(chunk, done);
        if (invalidReason !== undefined || res.destroyed) return done();
        const result = reader.push(chunk);
        if (result.state === 'pending') return done();
        if (result.state === 'invalid') {
          invalidReason = result.reason;
          return done();
        }
        applyPrelude(res, result.prelude);
        // The headers leave at once, as API Gateway sends them when the prelude arrives, but in
        // one write with the body bytes of the same turn (a whole JSON answer comes so).
        const socket = res.socket;
        socket?.cork();
        res.flushHeaders();
        setImmediate(() => socket?.uncork());
        bodyStarted = true;
        writeBody(result.rest, done);
      },
      end: () => {
        if (bodyStarted) res.end();
      },
    },
    highWaterMark === undefined ? {} : { highWaterMark },
  );
  // Failures are observed through the handler's promise and `finished`, never as 'error' events.
  stream.on('error', () => {});
  // Like the runtime when its connection drops: the handler's stream is destroyed, so middy's
  // pipeline() rejects and the body source is cancelled. (Through real API Gateway a client
  // disconnect may reach the function late or never: never rely on it to stop upstream work.)
  res.on('close', () => {
    if (!res.writableFinished) stream.destroy(clientClosedError());
  });

  const timeout = startTimer(options.timeoutMs);
  try {
    await Promise.race([
      Promise.all([callStreamingHandler(handler, event, stream, context), finished(stream)]),
      timeout.expired,
    ]);
    if (invalidReason !== undefined || !bodyStarted) {
      throw new Error(
        `Invalid streaming response: ${invalidReason ?? 'the stream ended without the HTTP integration prelude'}`,
      );
    }
  } catch (error) {
    if (!stream.destroyed) stream.destroy();
    if (res.destroyed || res.writableFinished) return;
    options.onError(error);
    if (bodyStarted) res.destroy();
    else if (error === timeout.error)
      sendGatewayError(res, 504, 'Endpoint request timed out', event);
    else sendGatewayError(res, 502, 'Internal server error', event);
  } finally {
    timeout.cancel();
  }
}

// The runtime requires an async streaming handler and ignores its return value.
async function callStreamingHandler(
  handler: StreamingLambdaHandler,
  event: APIGatewayProxyEvent,
  stream: LambdaResponseStream,
  context: Context,
): Promise<void> {
  const result = handler(event, stream, context);
  if (!isThenable(result)) throw new Error('Streaming does not support non-async handlers.');
  await result;
}

/** Buffered integration: await the proxy result, then write it (API Gateway's 29 s limit). */
async function invokeBuffered(
  handler: unknown,
  event: APIGatewayProxyEvent,
  context: Context,
  res: ServerResponse,
  options: InvokeOptions,
): Promise<void> {
  if (typeof handler !== 'function') {
    options.onError(new Error('The route handler is not a function'));
    return sendGatewayError(res, 502, 'Internal server error', event);
  }
  const timeout = startTimer(options.timeoutMs);
  let result: unknown;
  try {
    result = await Promise.race([
      Promise.resolve().then(() => handler(event, context)),
      timeout.expired,
    ]);
  } catch (error) {
    if (res.destroyed) return;
    options.onError(error);
    return error === timeout.error
      ? sendGatewayError(res, 504, 'Endpoint request timed out', event)
      : sendGatewayError(res, 502, 'Internal server error', event);
  } finally {
    timeout.cancel();
  }
  if (res.destroyed) return;
  if (typeof result !== 'object' || result === null) {
    options.onError(new Error('Malformed Lambda proxy response: not an object'));
    return sendGatewayError(res, 502, 'Internal server error', event);
  }
  const fields = result as Record<string, unknown>;
  if (typeof fields.statusCode !== 'number' || !Number.isInteger(fields.statusCode)) {
    options.onError(new Error('Malformed Lambda proxy response: statusCode is not an integer'));
    return sendGatewayError(res, 502, 'Internal server error', event);
  }
  const body = typeof fields.body === 'string' ? fields.body : '';
  const bytes = fields.isBase64Encoded === true ? Buffer.from(body, 'base64') : Buffer.from(body);
  applyPrelude(res, {
    statusCode: fields.statusCode,
    headers: stringRecord(fields.headers),
    multiValueHeaders: stringListRecord(fields.multiValueHeaders),
    cookies: [],
  });
  // API Gateway labels an integration response without a content type as JSON.
  if (!res.hasHeader('content-type')) res.setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', bytes.byteLength);
  res.end(bytes);
}

// multiValueHeaders win over headers of the same name, as in API Gateway.
function applyPrelude(res: ServerResponse, prelude: ResponsePrelude): void {
  res.statusCode = prelude.statusCode;
  const taken = new Set<string>();
  for (const [name, values] of Object.entries(prelude.multiValueHeaders)) {
    if (HOP_BY_HOP.has(name.toLowerCase())) continue;
    res.setHeader(name, [...values]);
    taken.add(name.toLowerCase());
  }
  for (const [name, value] of Object.entries(prelude.headers)) {
    if (HOP_BY_HOP.has(name.toLowerCase()) || taken.has(name.toLowerCase())) continue;
    res.setHeader(name, value);
  }
  if (prelude.cookies.length > 0) {
    const existing = res.getHeader('set-cookie');
    const previous = Array.isArray(existing) ? existing : existing ? [String(existing)] : [];
    res.setHeader('Set-Cookie', [...previous, ...prelude.cookies]);
  }
}

// API Gateway's own error responses: `{"message": ...}` with x-amzn-ErrorType.
const ERROR_TYPES: Readonly<Record<number, string>> = {
  403: 'MissingAuthenticationTokenException',
  413: 'RequestTooLongException',
  502: 'InternalServerErrorException',
  504: 'IntegrationTimeout',
};

function sendGatewayResponse(
  res: ServerResponse,
  response: GatewayResponse,
  requestId: string,
): void {
  res.writeHead(response.statusCode, {
    ...response.headers,
    'Content-Length': Buffer.byteLength(response.body),
    'x-amzn-RequestId': requestId,
  });
  res.end(response.body);
}

function sendGatewayError(
  res: ServerResponse,
  status: number,
  message: string,
  eventOrRequestId: APIGatewayProxyEvent | string,
  extraHeaders: Readonly<Record<string, string>> = {},
): void {
  const requestId =
    typeof eventOrRequestId === 'string'
      ? eventOrRequestId
      : eventOrRequestId.requestContext.requestId;
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  const body = JSON.stringify({ message });
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': requestId,
    'x-amzn-ErrorType': ERROR_TYPES[status] ?? 'Exception',
    ...extraHeaders,
  });
  res.end(body);
}

function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer | 'too-large'> {
  if (Number(req.headers['content-length'] ?? 0) > limitBytes) return Promise.resolve('too-large');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total <= limitBytes) return void chunks.push(chunk);
      // Stop collecting but keep draining, so the 413 can still be written on this socket.
      req.off('data', onData);
      req.resume();
      resolve('too-large');
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

// A regional REST API adds these before the integration sees the request.
function withForwardedHeaders(req: IncomingMessage): string[] {
  const raw = [...req.rawHeaders];
  const present = new Set(raw.filter((_, index) => index % 2 === 0).map((n) => n.toLowerCase()));
  const add = (name: string, value: string) => {
    if (!present.has(name.toLowerCase())) raw.push(name, value);
  };
  add('X-Forwarded-For', req.socket.remoteAddress ?? '127.0.0.1');
  add('X-Forwarded-Port', String(req.socket.localPort ?? ''));
  add('X-Forwarded-Proto', 'http');
  add('X-Amzn-Trace-Id', `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomHex(24)}`);
  return raw;
}

function randomHex(length: number): string {
  return randomUUID().replaceAll('-', '').slice(0, length);
}

function startTimer(ms: number): {
  expired: Promise<never>;
  error: Error;
  cancel: () => void;
} {
  const error = new Error(`Task timed out after ${ms} ms`);
  let handle: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    handle = setTimeout(() => reject(error), ms);
  });
  expired.catch(() => {});
  return { expired, error, cancel: () => clearTimeout(handle) };
}

function clientClosedError(): Error {
  return Object.assign(new Error('The client closed the connection'), { code: 'ECONNRESET' });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function report(options: ApiGatewayServerOptions, error: unknown, info: InvocationInfo): void {
  if (options.onInvocationError) options.onInvocationError(error, info);
  else console.error(`[local api-gateway] ${info.path} (${info.requestId}) failed:`, error);
}
