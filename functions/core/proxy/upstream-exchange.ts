import { MetrionError, UpstreamTimeoutError, UpstreamUnavailableError } from '../errors.ts';
import type { UpstreamClient, UpstreamResponse } from '../ports/upstream-client.ts';
import { formatSeconds, readWithin } from './read-within.ts';

/**
 * Sends one request upstream; no response headers within `headerTimeoutMs` aborts it and
 * answers 504, anything the transport throws that is not ours becomes a 502.
 */
export async function sendWithHeaderTimeout(
  deps: { readonly upstream: UpstreamClient; readonly headerTimeoutMs: number },
  abort: AbortController,
  request: Parameters<UpstreamClient['send']>[0],
): Promise<UpstreamResponse> {
  // The error is built only when the timer fires: most requests never need it.
  let timeout: UpstreamTimeoutError | undefined;
  const timer = setTimeout(() => {
    timeout = new UpstreamTimeoutError(
      `The provider sent no response within ${formatSeconds(deps.headerTimeoutMs)}. Retry the request, or check the provider's status page.`,
    );
    abort.abort(timeout);
  }, deps.headerTimeoutMs);
  try {
    return await deps.upstream.send(request);
  } catch (error) {
    if (timeout !== undefined && abort.signal.reason === timeout) throw timeout;
    if (error instanceof MetrionError) throw error;
    throw new UpstreamUnavailableError('Metrion could not reach the provider. Retry the request.');
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reads a whole upstream body: a stall of `idleTimeoutMs` is a 504, more than `maxBytes` or a
 * broken connection a 502; on any failure the upstream request is aborted.
 */
export async function readWhole(
  stream: ReadableStream<Uint8Array>,
  options: {
    readonly idleTimeoutMs: number;
    readonly maxBytes: number;
    /** What to tell the caller when the answer is larger than `maxBytes`. */
    readonly tooLargeMessage: string;
    readonly abortUpstream: () => void;
  },
): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    for (;;) {
      const { done, value } = await readWithin(
        reader.read(),
        options.idleTimeoutMs,
        () =>
          new UpstreamTimeoutError('The provider stopped sending its answer. Retry the request.'),
      );
      if (done) break;
      length += value.byteLength;
      if (length > options.maxBytes) throw new UpstreamUnavailableError(options.tooLargeMessage);
      chunks.push(value);
    }
  } catch (error) {
    options.abortUpstream();
    reader.cancel().catch(() => undefined);
    if (error instanceof MetrionError) throw error;
    throw new UpstreamUnavailableError(
      'The connection to the provider broke before the answer was complete. Retry the request.',
    );
  }
  const body = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
