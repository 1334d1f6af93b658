import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InvalidRequestError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
} from '#core/errors.ts';
import { resolveProxyRoute } from '#core/providers/resolve-proxy-route.ts';
import { PROXY_ROUTES } from '#core/providers/routes.ts';
import { MAX_PROXY_BODY_BYTES, parseProxyRequest } from '#core/proxy/parse-proxy-request.ts';
import { usageRouteAt } from '../../../fixtures/usage-route.ts';

// Chat routes: the Responses API and embeddings require `input` instead of `messages`.
const routePath = fc.constantFrom(
  ...PROXY_ROUTES.filter((route) => route.endpoint === 'chat').map((route) => route.path),
);
const encoder = new TextEncoder();

function request(path: string, body: Uint8Array, headers: Record<string, string> = {}) {
  return {
    requestId: 'r',
    method: 'POST',
    path,
    headers,
    body,
    receivedAtMs: 0,
    receivedAtMonotonicMs: 0,
  };
}

/** Runs the parser; returns the error it threw, if any. */
function attempt(input: ReturnType<typeof request>): unknown {
  try {
    parseProxyRequest(input, usageRouteAt(input.path));
    return undefined;
  } catch (error) {
    return error;
  }
}

const anyBody = fc.oneof(
  fc.uint8Array({ maxLength: 256 }),
  fc.jsonValue().map((value) => encoder.encode(JSON.stringify(value))),
  fc
    .dictionary(
      fc.constantFrom('model', 'messages', 'max_tokens', 'stream', 'stream_options', 'x'),
      fc.jsonValue(),
    )
    .map((value) => encoder.encode(JSON.stringify(value))),
  fc.string().map((text) => encoder.encode(text)),
);

const metrionHeaders = fc.record(
  {
    'x-metrion-user': fc.string({ maxLength: 200 }),
    'x-metrion-cache': fc.oneof(fc.constantFrom('true', 'refresh', 'false'), fc.string()),
    'cache-control': fc.string(),
  },
  { requiredKeys: [] },
);

describe('parseProxyRequest (properties)', () => {
  it('throws nothing but InvalidRequestError for any body and Metrion header on a known route', () => {
    fc.assert(
      fc.property(routePath, anyBody, metrionHeaders, (path, body, headers) => {
        const error = attempt(request(path, body, headers));
        if (error !== undefined) expect(error).toBeInstanceOf(InvalidRequestError);
      }),
      { numRuns: 500 },
    );
  });

  it('resolves any other path to NotFound and any other method to MethodNotAllowed, with a message', () => {
    const routed = new Set(PROXY_ROUTES.map((route) => `${route.method} ${route.path}`));
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH'), (path, method) => {
        fc.pre(!routed.has(`${method} /api/proxy/${path}`.replace(/\/+$/, '')));
        const resolved = resolveProxyRoute(method, `/api/proxy/${path}`);
        if (resolved.kind === 'matched') {
          // A GET on a model lookup with any one-segment id is a route too.
          expect(resolved.route.endpoint).toBe('model');
          return;
        }
        expect(
          resolved.error instanceof NotFoundError ||
            resolved.error instanceof MethodNotAllowedError,
        ).toBe(true);
        expect(resolved.error.message.length).toBeGreaterThan(20);
      }),
    );
  });

  it('refuses any body over the limit with PayloadTooLarge, before reading it', () => {
    const oversized = new Uint8Array(MAX_PROXY_BODY_BYTES + 1).fill(0x7b);
    fc.assert(
      fc.property(routePath, (path) => {
        expect(attempt(request(path, oversized))).toBeInstanceOf(PayloadTooLargeError);
      }),
      { numRuns: 20 },
    );
  });

  it('parses every valid body and reads model, stream and include_usage from it', () => {
    const validBody = fc.record(
      {
        model: fc.string({ minLength: 1 }).filter((model) => model.trim() !== ''),
        messages: fc.array(fc.record({ role: fc.constant('user'), content: fc.string() })),
        max_tokens: fc.integer({ min: 1, max: 100_000 }),
        stream: fc.boolean(),
        stream_options: fc.record({ include_usage: fc.boolean() }),
        temperature: fc.double({ min: 0, max: 2, noNaN: true }),
        extra: fc.jsonValue(),
      },
      { requiredKeys: ['model', 'messages', 'max_tokens'] },
    );
    fc.assert(
      fc.property(routePath, validBody, (path, body) => {
        const parsed = parseProxyRequest(
          request(path, encoder.encode(JSON.stringify(body))),
          usageRouteAt(path),
        );
        expect(parsed.model).toBe(body.model);
        expect(parsed.streamed).toBe(body.stream === true);
        expect(parsed.callerWantsStreamUsage).toBe(body.stream_options?.include_usage === true);
        expect(parsed.json).toEqual(JSON.parse(JSON.stringify(body)));
      }),
      { numRuns: 300 },
    );
  });
});
