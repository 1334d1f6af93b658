// The response stream a streaming handler writes to, as the Lambda runtime (aws-lambda-ric) gives
// it, and the reader for the HTTP integration format (JSON prelude, 8 NULs, body) on the far side.
import { Writable } from 'node:stream';
import {
  HTTP_INTEGRATION_CONTENT_TYPE,
  PRELUDE_DELIMITER_LENGTH,
  type PreludeCapableStream,
  type RawWrite,
} from './awslambda-shim.ts';

/** Where the bytes of a {@link LambdaResponseStream} go (the local server's HTTP response). */
export interface ResponseSink {
  /** Receives the next bytes in order; `done` signals they were taken (backpressure). */
  write(chunk: Buffer, done: (error?: Error | null) => void): void;
  /** The handler ended the stream. */
  end(): void;
}

type WriteCallback = (error: Error | null | undefined) => void;

/**
 * The runtime's response stream: default content type `application/octet-stream`,
 * `setContentType` only before the first write, the `_onBeforeFirstWrite` hook that
 * `HttpResponseStream.from` installs, and non-binary chunks written as JSON (like the runtime).
 */
export class LambdaResponseStream extends Writable implements PreludeCapableStream {
  _onBeforeFirstWrite?: ((write: RawWrite) => void) | undefined;
  readonly #sink: ResponseSink;
  #contentType = 'application/octet-stream';
  #writeCalled = false;

  constructor(sink: ResponseSink, options: { highWaterMark?: number } = {}) {
    super(options.highWaterMark === undefined ? {} : { highWaterMark: options.highWaterMark });
    this.#sink = sink;
  }

  /** The content type set by the handler (or by `HttpResponseStream.from`). */
  get contentType(): string {
    return this.#contentType;
  }

  /** @throws Error once something was written, as the runtime does. */
  setContentType(contentType: string): void {
    if (this.#writeCalled) throw new Error('Cannot set content-type, too late.');
    this.#contentType = contentType;
  }

  override write(chunk: unknown, callback?: WriteCallback): boolean;
  override write(chunk: unknown, encoding: BufferEncoding, callback?: WriteCallback): boolean;
  override write(
    chunk: unknown,
    encodingOrCallback?: BufferEncoding | WriteCallback,
    callback?: WriteCallback,
  ): boolean {
    const data =
      typeof chunk === 'string' || chunk instanceof Uint8Array ? chunk : JSON.stringify(chunk);
    if (!this.#writeCalled) {
      this.#writeCalled = true;
      this._onBeforeFirstWrite?.((raw) => {
        super.write(raw);
      });
    }
    if (typeof encodingOrCallback === 'function') return super.write(data, encodingOrCallback);
    if (encodingOrCallback === undefined) return super.write(data, callback);
    return super.write(data, encodingOrCallback, callback);
  }

  // Writable.end(chunk) bypasses write(); route the chunk through it so a prelude comes first.
  override end(callback?: () => void): this;
  override end(chunk: unknown, callback?: () => void): this;
  override end(chunk: unknown, encoding: BufferEncoding, callback?: () => void): this;
  override end(
    chunkOrCallback?: unknown,
    encodingOrCallback?: BufferEncoding | (() => void),
    callback?: () => void,
  ): this {
    if (typeof chunkOrCallback === 'function') return super.end(chunkOrCallback as () => void);
    if (chunkOrCallback !== undefined && chunkOrCallback !== null) {
      if (typeof encodingOrCallback === 'string') this.write(chunkOrCallback, encodingOrCallback);
      else this.write(chunkOrCallback);
    }
    const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    return done ? super.end(done) : super.end();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: WriteCallback): void {
    this.#sink.write(chunk, done);
  }

  override _final(done: WriteCallback): void {
    this.#sink.end();
    done(null);
  }
}

/** Status, headers and cookies from the JSON prelude of the HTTP integration format. */
export interface ResponsePrelude {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly multiValueHeaders: Readonly<Record<string, readonly string[]>>;
  readonly cookies: readonly string[];
}

/** Result of feeding bytes to a {@link PreludeReader}. */
export type PreludeReadResult =
  | { readonly state: 'pending' }
  | { readonly state: 'complete'; readonly prelude: ResponsePrelude; readonly rest: Buffer }
  | { readonly state: 'invalid'; readonly reason: string };

/** JSON can never contain a raw NUL, so the first run of 8 NULs ends the prelude. */
const DELIMITER = Buffer.alloc(PRELUDE_DELIMITER_LENGTH);
const MAX_PRELUDE_BYTES = 1024 * 1024;

/**
 * Buffers the start of a response stream until the prelude delimiter arrives, then hands over
 * the parsed prelude and whatever body bytes came in the same chunk.
 */
export class PreludeReader {
  readonly #contentType: () => string;
  #buffered = Buffer.alloc(0);

  /** @param contentType - read lazily: the stream's content type at the first byte. */
  constructor(contentType: () => string) {
    this.#contentType = contentType;
  }

  /** Adds bytes; `complete` at most once, after which the caller writes bytes straight through. */
  push(chunk: Buffer): PreludeReadResult {
    if (this.#contentType() !== HTTP_INTEGRATION_CONTENT_TYPE) {
      return {
        state: 'invalid',
        reason: `the stream has content type ${this.#contentType()}, not the HTTP integration format (use awslambda.HttpResponseStream.from)`,
      };
    }
    this.#buffered = Buffer.concat([this.#buffered, chunk]);
    const end = this.#buffered.indexOf(DELIMITER);
    if (end === -1) {
      return this.#buffered.byteLength > MAX_PRELUDE_BYTES
        ? { state: 'invalid', reason: 'no prelude delimiter within 1 MB' }
        : { state: 'pending' };
    }
    const prelude = parsePrelude(this.#buffered.subarray(0, end).toString('utf8'));
    if (typeof prelude === 'string') return { state: 'invalid', reason: prelude };
    return {
      state: 'complete',
      prelude,
      rest: this.#buffered.subarray(end + PRELUDE_DELIMITER_LENGTH),
    };
  }
}

function parsePrelude(json: string): ResponsePrelude | string {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return 'the prelude is not JSON';
  }
  if (typeof value !== 'object' || value === null) return 'the prelude is not a JSON object';
  const fields = value as Record<string, unknown>;
  const statusCode = fields.statusCode ?? 200;
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode)) {
    return 'the prelude statusCode is not an integer';
  }
  return {
    statusCode,
    headers: stringRecord(fields.headers),
    multiValueHeaders: stringListRecord(fields.multiValueHeaders),
    cookies: Array.isArray(fields.cookies) ? fields.cookies.map(String) : [],
  };
}

/** Header values as API Gateway sends them: numbers and booleans become strings. */
export function stringRecord(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  const result: Record<string, string> = {};
  for (const [name, item] of Object.entries(value)) {
    if (item !== undefined && item !== null) result[name] = String(item);
  }
  return result;
}

/** Multi-value header lists with every value as a string. */
export function stringListRecord(value: unknown): Record<string, string[]> {
  if (typeof value !== 'object' || value === null) return {};
  const result: Record<string, string[]> = {};
  for (const [name, items] of Object.entries(value)) {
    if (Array.isArray(items)) result[name] = items.map(String);
  }
  return result;
}
