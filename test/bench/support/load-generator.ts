// Closed-loop HTTP load over keep-alive node:http: each worker sends its next request as soon as
// the previous one has been read to the last byte, so exactly `concurrency` requests are in flight.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

/** One POST the generator repeats: where, which headers, which body. */
export interface Target {
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** Timings of one request, in milliseconds from just before the request was written. */
export interface Sample {
  /** Until the first response body byte arrived. */
  readonly ttfbMs: number;
  /** Until the last response body byte was read. */
  readonly totalMs: number;
  /** The proxy's `x-metrion-request-id`, when the response carries one. */
  readonly requestId?: string;
  /** The proxy's `server-timing` header (its own phases), when the response carries one. */
  readonly serverTiming?: string;
}

/** A keep-alive agent that holds one socket per in-flight request (no queueing in the client). */
export function keepAliveAgent(maxSockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
}

/**
 * Sends `target` once and reads the whole response. A keep-alive socket the server closed while
 * it sat idle (its keep-alive timeout) fails before the request reached any handler; that one
 * attempt is retried on a fresh socket and timed from the retry, as Node's docs recommend.
 * @throws Error on a transport error, a non-200 status or an empty body: the bench is broken then.
 */
export async function timedPost(target: Target, agent: Agent): Promise<Sample> {
  try {
    return await attempt(target, agent);
  } catch (error) {
    if (!(error instanceof StaleSocketError)) throw error;
    return attempt(target, agent);
  }
}

class StaleSocketError extends Error {}

function attempt(target: Target, agent: Agent): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    let firstByteAt: number | undefined;
    let bytes = 0;
    const req = request(
      target.url,
      {
        method: 'POST',
        agent,
        headers: { ...target.headers, 'content-length': String(target.body.byteLength) },
      },
      (res) => {
        res.on('data', (chunk: Buffer) => {
          firstByteAt ??= performance.now();
          bytes += chunk.byteLength;
        });
        res.on('error', reject);
        res.on('end', () => {
          const endedAt = performance.now();
          if (res.statusCode !== 200 || firstByteAt === undefined) {
            reject(new Error(`${target.url.href}: HTTP ${res.statusCode} with ${bytes} bytes`));
            return;
          }
          const requestId = res.headers['x-metrion-request-id'];
          const serverTiming = res.headers['server-timing'];
          resolve({
            ttfbMs: firstByteAt - startedAt,
            totalMs: endedAt - startedAt,
            ...(typeof requestId === 'string' ? { requestId } : {}),
            ...(typeof serverTiming === 'string' ? { serverTiming } : {}),
          });
        });
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      const stale = req.reusedSocket && error.code === 'ECONNRESET' && firstByteAt === undefined;
      reject(stale ? new StaleSocketError(error.message) : error);
    });
    req.end(target.body);
  });
}

/** Runs `count` calls of `send` with `concurrency` of them in flight; samples in completion order. */
export async function runClosedLoop<TSample = Sample>(
  count: number,
  concurrency: number,
  send: () => Promise<TSample>,
): Promise<TSample[]> {
  const samples: TSample[] = [];
  let started = 0;
  const worker = async () => {
    while (started < count) {
      started += 1;
      samples.push(await send());
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return samples;
}
