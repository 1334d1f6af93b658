// The local root with no timeout override: it builds the proxy through buildProxyDeps exactly as
// the Lambda root does, so the timers set here carry the production defaults (30 s). Nothing
// waits 30 s: the test finds the timer the proxy armed, checks its delay, and fires it itself.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type {
  UpstreamClient,
  UpstreamRequest,
  UpstreamResponse,
} from '#core/ports/upstream-client.ts';
import { type LocalMetrion, startLocalMetrion } from '#local/local-metrion.ts';

const PRODUCTION_TIMEOUT_MS = 30_000;

/** Every setTimeout call while the spy is on, with the stack that made it. */
interface ArmedTimer {
  readonly delayMs: number | undefined;
  readonly fire: () => void;
  readonly stack: string;
}

/**
 * Records each timer (still set for real) so a test can see who armed it and fire it early.
 * `armedBy` resolves with the newest timer a function of that name armed (found by name in its
 * stack), or, if none yet, the next one: the test waits for the event, never for a time that a
 * slow machine could overrun. A rename of that function leaves the test to time out.
 */
function recordTimers() {
  const armed: ArmedTimer[] = [];
  const waiting: { functionName: string; found: (timer: ArmedTimer) => void }[] = [];
  const realSetTimeout = globalThis.setTimeout;
  vi.spyOn(globalThis, 'setTimeout').mockImplementation(((
    callback: (...args: unknown[]) => void,
    delayMs?: number,
    ...args: unknown[]
  ) => {
    const timer = {
      delayMs,
      fire: () => callback(...args),
      stack: new Error('timer armed').stack ?? '',
    };
    armed.push(timer);
    for (const waiter of waiting.splice(0)) {
      if (timer.stack.includes(waiter.functionName)) waiter.found(timer);
      else waiting.push(waiter);
    }
    return realSetTimeout(callback, delayMs, ...args);
  }) as typeof setTimeout);
  return {
    armedBy(functionName: string): Promise<ArmedTimer> {
      const known = armed.findLast((timer) => timer.stack.includes(functionName));
      if (known !== undefined) return Promise.resolve(known);
      return new Promise((found) => waiting.push({ functionName, found }));
    },
  };
}

/** An upstream that hangs until aborted, or answers headers and then a body that never moves. */
class HangingUpstream implements UpstreamClient {
  mode: 'no-headers' | 'stalled-stream' = 'no-headers';
  private arrival = Promise.withResolvers<UpstreamRequest>();

  /** The next request the proxy sends here. */
  nextRequest(): Promise<UpstreamRequest> {
    return this.arrival.promise;
  }

  async send(request: UpstreamRequest): Promise<UpstreamResponse> {
    this.arrival.resolve(request);
    this.arrival = Promise.withResolvers();
    if (this.mode === 'stalled-stream') {
      return {
        status: 200,
        headers: { 'content-type': 'text/event-stream' },
        body: new ReadableStream<Uint8Array>({ pull: () => new Promise(() => undefined) }),
      };
    }
    return new Promise((_, reject) => {
      request.signal.addEventListener('abort', () => reject(request.signal.reason), {
        once: true,
      });
    });
  }
}

const upstream = new HangingUpstream();
let metrion: LocalMetrion;
let metrionKey: string;

beforeAll(async () => {
  metrion = await startLocalMetrion({ upstream, logWrite: () => undefined });
  const created = await metrion.data.accountService.createAccount({ email: 'dev@example.com' });
  metrionKey = created.metrionKey;
  await metrion.data.accountService.putProviderKey(
    created.account.accountId,
    'openai',
    'sk-proj-0123456789abcdefghij0123456789',
  );
});
afterAll(async () => {
  await metrion?.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const postChat = (stream: boolean) =>
  fetch(`${metrion.proxyBaseUrls.openai}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${metrionKey}` },
    body: JSON.stringify({
      model: 'gpt-4o-mini',
      stream,
      messages: [{ role: 'user', content: 'hi' }],
    }),
  });

describe('the production upstream timeouts (no override)', () => {
  it('gives the provider 30 s to send headers, then aborts it and answers 504', async () => {
    // Arrange
    upstream.mode = 'no-headers';
    const timers = recordTimers();
    const arrived = upstream.nextRequest();

    // Act: the request reaches the hanging upstream; then its header timer fires
    const response = postChat(false);
    const upstreamSignal = (await arrived).signal;
    const headerTimer = await timers.armedBy('sendWithHeaderTimeout');
    expect(upstreamSignal.aborted).toBe(false);
    headerTimer.fire();

    // Assert
    expect(headerTimer.delayMs).toBe(PRODUCTION_TIMEOUT_MS);
    expect(upstreamSignal.aborted).toBe(true);
    const answered = await response;
    expect(answered.status).toBe(504);
    expect(await answered.text()).toContain('no response within 30 s');
  });

  it('closes a stream once the provider has sent nothing for 30 s', async () => {
    // Arrange
    upstream.mode = 'stalled-stream';
    const timers = recordTimers();

    // Act: headers arrive, the body never moves; then the relay's idle timer fires
    const response = await postChat(true);
    expect(response.status).toBe(200);
    const body = response.text();
    const idleTimer = await timers.armedBy('readWithin');
    idleTimer.fire();

    // Assert
    expect(idleTimer.delayMs).toBe(PRODUCTION_TIMEOUT_MS);
    expect(await body).toContain('sent nothing for 30 s');
  });
});
