// Installs the `awslambda` global that the Lambda Node.js runtime (aws-lambda-ric) provides, so the
// same streaming handler modules run in plain Node. A no-op where the global already exists.
import type { Writable } from 'node:stream';
// Loads @types/aws-lambda's global `awslambda` declarations into every program that has the shim.
import type { StreamifyHandler } from 'aws-lambda';

/** Content type the runtime gives a response stream once `HttpResponseStream.from` wraps it. */
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';

/** Number of NUL bytes between the JSON prelude and the body in the HTTP integration format. */
export const PRELUDE_DELIMITER_LENGTH = 8;

/** The runtime marks streaming handlers with this symbol set to `'response'`. */
export const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HANDLER_HIGH_WATER_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
const STREAM_RESPONSE = 'response';

/** Options the runtime's `streamifyResponse` accepts. */
export interface StreamifyOptions {
  /** Buffer size of the response stream in bytes. @default - Node's Writable default */
  readonly highWaterMark?: number;
}

declare global {
  namespace awslambda {
    /** The runtime also accepts options (aws-lambda-ric); @types/aws-lambda omits them. */
    function streamifyResponse<TEvent = unknown, TResult = void>(
      handler: StreamifyHandler<TEvent, TResult>,
      options?: StreamifyOptions,
    ): StreamifyHandler<TEvent, TResult>;
  }
}

/** Writes bytes straight to the stream's sink, bypassing the first-write hook. */
export type RawWrite = (chunk: string | Uint8Array) => void;

/**
 * What `HttpResponseStream.from` needs from a response stream: the runtime's own stream has the
 * same two members (`setContentType` and the `_onBeforeFirstWrite` hook), see aws-lambda-ric.
 */
export interface PreludeCapableStream extends Writable {
  setContentType(contentType: string): void;
  _onBeforeFirstWrite?: ((write: RawWrite) => void) | undefined;
}

/** A Lambda handler in the runtime's streaming shape `(event, responseStream, context)`. */
export type StreamingLambdaHandler = (
  event: unknown,
  responseStream: PreludeCapableStream,
  context: unknown,
) => unknown;

/** Whether `handler` went through `awslambda.streamifyResponse` (real runtime or this shim). */
export function isStreamingHandler(handler: unknown): handler is StreamingLambdaHandler {
  return (
    typeof handler === 'function' &&
    (handler as unknown as Record<symbol, unknown>)[HANDLER_STREAMING] === STREAM_RESPONSE
  );
}

/** The stream's high-water mark requested through `streamifyResponse(handler, options)`. */
export function streamingHighWaterMark(handler: StreamingLambdaHandler): number | undefined {
  const value = (handler as unknown as Record<symbol, unknown>)[HANDLER_HIGH_WATER_MARK];
  return typeof value === 'number' ? value : undefined;
}

function streamifyResponse<THandler extends object>(
  handler: THandler,
  options?: StreamifyOptions,
): THandler {
  const marks = handler as Record<symbol, unknown>;
  marks[HANDLER_STREAMING] = STREAM_RESPONSE;
  if (typeof options?.highWaterMark === 'number') {
    marks[HANDLER_HIGH_WATER_MARK] = options.highWaterMark;
  }
  return handler;
}

// Same steps as aws-lambda-ric's HttpResponseStream.from: set the integration content type now,
// and emit `JSON prelude + 8 NULs` right before the first write (middy writes '' to flush it).
function httpResponseStreamFrom(
  underlyingStream: PreludeCapableStream,
  prelude: Record<string, unknown>,
): PreludeCapableStream {
  underlyingStream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
  const metadataPrelude = JSON.stringify(prelude);
  underlyingStream._onBeforeFirstWrite = (write) => {
    write(metadataPrelude);
    write(new Uint8Array(PRELUDE_DELIMITER_LENGTH));
  };
  return underlyingStream;
}

// The AWS SDK (via @aws/lambda-invoke-store) may already have set `globalThis.awslambda = {}`
// without the streaming API, or may set it after us; so augment a plain, writable object and
// leave a real runtime's implementation (which has streamifyResponse) alone.
const globalWithLambda = globalThis as { awslambda?: Record<string, unknown> };
const existing = globalWithLambda.awslambda ?? {};
if (typeof existing.streamifyResponse !== 'function') {
  existing.streamifyResponse = streamifyResponse;
  existing.HttpResponseStream = { from: httpResponseStreamFrom };
  globalWithLambda.awslambda = existing;
}
