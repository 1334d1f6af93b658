// Test helpers: one local API Gateway per handler, closed after each test, with its invocation
// errors collected instead of printed.

import { afterEach } from 'vitest';
import {
  type ApiGatewayServer,
  type ApiGatewayServerOptions,
  startApiGatewayServer,
} from '#local/api-gateway-server.ts';

const running: ApiGatewayServer[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

/** A local API Gateway with `handler` on every path, and the errors its invocations reported. */
export async function serve(
  handler: unknown,
  options: Partial<ApiGatewayServerOptions> = {},
): Promise<{ url: string; errors: unknown[]; idle: () => Promise<void> }> {
  const errors: unknown[] = [];
  const server = await startApiGatewayServer({
    routes: [{ matches: () => true, handler, functionName: 'test-function' }],
    onInvocationError: (error) => errors.push(error),
    ...options,
  });
  running.push(server);
  return { url: server.url, errors, idle: () => server.idle() };
}

/** A promise with its resolve function, for gating a handler from the test. */
export function gate(): { opened: Promise<void>; open: () => void } {
  const { promise, resolve } = Promise.withResolvers<void>();
  return { opened: promise, open: () => resolve() };
}

/** Reads a fetch body chunk by chunk, as the client receives them. */
export async function readChunk(
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<string | undefined> {
  const { done, value } = await reader.read();
  return done ? undefined : new TextDecoder().decode(value);
}

/** Collects the rest of a fetch body. */
export async function readRest(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    text += decoder.decode(value, { stream: true });
  }
}
