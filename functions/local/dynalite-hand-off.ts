// The DynamoDB client's requests handed to dynalite's worker thread over a MessagePort instead of
// loopback HTTP. The SDK still serializes, signs and parses every call, and dynalite still runs
// its own HTTP request handler on each one; what goes is the transport between them: a socket
// write, an HTTP parse on both sides and the SDK's connection pooling, per call (about 9 calls
// per proxied request). Both sides live here; node builtins only (the worker side runs there).
import { EventEmitter } from 'node:events';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { MessagePort } from 'node:worker_threads';

/** One request from the client's thread. */
interface HandOffRequest {
  readonly id: number;
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Uint8Array;
  /** Work nobody waits on: the worker runs such requests one at a time. */
  readonly background: boolean;
}

/** dynalite's answer to one request. */
interface HandOffResponse {
  readonly id: number;
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The part of the SDK's HttpRequest (@smithy/types) a DynamoDB call carries. */
interface SdkHttpRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
}

interface SdkHttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}

/** What the SDK asks of a `requestHandler`. */
export interface SdkRequestHandler {
  handle(
    request: SdkHttpRequest,
    options?: { abortSignal?: { readonly aborted: boolean } },
  ): Promise<{ response: SdkHttpResponse }>;
  updateHttpClientConfig(): void;
  httpHandlerConfigs(): Record<string, never>;
  destroy(): void;
}

/**
 * An SDK request handler (`requestHandler` of a DynamoDB client) that hands each request to the
 * dynalite worker through `port` and resolves with its answer.
 */
export class DynaliteHandOff implements SdkRequestHandler {
  readonly #port: MessagePort;
  readonly #pending = new Map<
    number,
    { resolve: (r: HandOffResponse) => void; reject: (e: Error) => void }
  >();
  readonly #outbox = new Outbox<HandOffRequest>((batch) => this.#port.postMessage(batch));
  #nextId = 0;
  #closedReason: Error | undefined;

  constructor(port: MessagePort) {
    this.#port = port;
    port.on('message', (responses: readonly HandOffResponse[]) => {
      for (const response of responses) {
        const pending = this.#pending.get(response.id);
        this.#pending.delete(response.id);
        pending?.resolve(response);
      }
    });
    // Requests in flight when the worker goes would otherwise never settle.
    port.on('close', () => this.close(new Error('the dynalite worker stopped')));
  }

  /**
   * The same hand-off for a client whose calls nobody waits on (the usage aggregator, a
   * function of its own in AWS): the worker runs them one at a time, so a burst of them never
   * stands in front of a request's own calls on dynalite's one thread.
   */
  readonly background: SdkRequestHandler = {
    handle: (request, options) => this.#send(request, options, true),
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
    destroy: () => undefined,
  };

  /** The SDK's HttpHandler.handle. */
  handle(
    request: SdkHttpRequest,
    options?: { abortSignal?: { readonly aborted: boolean } },
  ): Promise<{ response: SdkHttpResponse }> {
    return this.#send(request, options, false);
  }

  async #send(
    request: SdkHttpRequest,
    options: { abortSignal?: { readonly aborted: boolean } } = {},
    background: boolean,
  ): Promise<{ response: SdkHttpResponse }> {
    if (this.#closedReason) throw this.#closedReason;
    if (options.abortSignal?.aborted) throw new Error('Request aborted');
    const id = this.#nextId++;
    const answer = new Promise<HandOffResponse>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
    });
    this.#outbox.add({
      id,
      method: request.method,
      path: request.path,
      headers: request.headers,
      body: exactBytes(request.body),
      background,
    });
    const response = await answer;
    return {
      response: {
        statusCode: response.statusCode,
        headers: { ...response.headers },
        body: Buffer.from(response.body),
      },
    };
  }

  /** Fails the requests still waiting and every later one with `reason`. */
  close(reason = new Error('the dynalite hand-off is closed')): void {
    this.#closedReason ??= reason;
    for (const pending of this.#pending.values()) pending.reject(this.#closedReason);
    this.#pending.clear();
  }

  // The SDK asks handlers for their settings; this one has none.
  updateHttpClientConfig(): void {}
  httpHandlerConfigs(): Record<string, never> {
    return {};
  }
  destroy(): void {}
}

/**
 * The body as it should travel. The SDK's JSON body is a Uint8Array that turns string methods
 * into a warning, so its bytes travel as they are, never through toString; but it is a view on
 * Node's shared 8 KB Buffer pool, and postMessage copies a view's whole ArrayBuffer: a copy of
 * just its bytes made each call's hand-off about 15 times cheaper.
 */
function exactBytes(body: string | Uint8Array | undefined): string | Uint8Array {
  if (body === undefined) return '';
  return typeof body === 'string' ? body : new Uint8Array(body);
}

/**
 * The worker's side: answers every request arriving on `port` with dynalite's own HTTP request
 * listener, through a request and a response object that carry what it reads and writes.
 * Background requests run one at a time, each started in a turn of its own (after the requests
 * that arrived with it), while the others start as they arrive.
 */
export function serveHandOff(port: MessagePort, listener: RequestListener): void {
  const answers = new Outbox<HandOffResponse>((batch) => port.postMessage(batch));
  const background: HandOffRequest[] = [];
  let backgroundRunning = false;
  const nextBackground = () => {
    const request = background.shift();
    backgroundRunning = request !== undefined;
    if (request === undefined) return;
    setImmediate(() =>
      serveOne(request, listener, (answer) => {
        answers.add(answer);
        nextBackground();
      }),
    );
  };
  port.on('message', (requests: readonly HandOffRequest[]) => {
    for (const request of requests) {
      if (!request.background) serveOne(request, listener, (answer) => answers.add(answer));
      else background.push(request);
    }
    if (!backgroundRunning) nextBackground();
  });
}

/** One request through dynalite's listener; `answer` receives what it ends with. */
function serveOne(
  request: HandOffRequest,
  listener: RequestListener,
  answer: (response: HandOffResponse) => void,
): void {
  const req = Object.assign(new EventEmitter(), {
    method: request.method,
    url: request.path,
    headers: lowerCaseKeys(request.headers),
  });
  const headers: Record<string, string> = {};
  const res = {
    statusCode: 200,
    setHeader(name: string, value: unknown) {
      headers[name.toLowerCase()] = String(value);
    },
    end(body?: string | Buffer) {
      const text = body === undefined ? '' : body.toString();
      answer({ id: request.id, statusCode: res.statusCode, headers, body: text });
    },
  };
  listener(req as unknown as IncomingMessage, res as unknown as ServerResponse);
  const body =
    typeof request.body === 'string'
      ? Buffer.from(request.body)
      : Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength);
  if (body.byteLength > 0) req.emit('data', body);
  req.emit('end');
}

/**
 * Messages of one turn of the event loop, posted together at its end: each postMessage wakes
 * the other thread, and a proxied request's calls (the record, its trace, the aggregator's
 * writes) and dynalite's answers mostly come several at a time.
 */
class Outbox<Message> {
  readonly #post: (batch: Message[]) => void;
  #batch: Message[] = [];

  constructor(post: (batch: Message[]) => void) {
    this.#post = post;
  }

  add(message: Message): void {
    this.#batch.push(message);
    if (this.#batch.length === 1) setImmediate(() => this.#flush());
  }

  #flush(): void {
    const batch = this.#batch;
    this.#batch = [];
    this.#post(batch);
  }
}

function lowerCaseKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = value;
  return lower;
}
