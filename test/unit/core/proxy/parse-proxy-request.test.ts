import { describe, expect, it } from 'vitest';
import { InvalidRequestError, PayloadTooLargeError } from '#core/errors.ts';
import {
  type IncomingProxyRequest,
  MAX_PROXY_BODY_BYTES,
  parseProxyRequest as parseOnRoute,
} from '#core/proxy/parse-proxy-request.ts';
import { NO_REQUESTER_FILTER } from '#core/usage/usage-query.ts';
import { MAX_MODEL_ID_LENGTH } from '#core/usage/usage-record.ts';
import { usageRouteAt } from '../../../fixtures/usage-route.ts';

/** Parses on the route the request's path resolves to, as the proxy service does. */
const parseProxyRequest = (input: IncomingProxyRequest) =>
  parseOnRoute(input, usageRouteAt(input.path, input.method));

function request(
  overrides: Partial<IncomingProxyRequest> & { json?: unknown } = {},
): IncomingProxyRequest {
  const { json, ...rest } = overrides;
  return {
    requestId: 'req-1',
    method: 'POST',
    path: '/api/proxy/openai/v1/chat/completions',
    headers: {},
    body: new TextEncoder().encode(JSON.stringify(json ?? { model: 'gpt-4o-mini', messages: [] })),
    receivedAtMs: 0,
    receivedAtMonotonicMs: 0,
    ...rest,
  };
}

describe('parseProxyRequest', () => {
  it('reads provider, model, stream flags and requester', () => {
    const parsed = parseProxyRequest(
      request({
        json: {
          model: 'gpt-4o',
          messages: [],
          stream: true,
          stream_options: { include_usage: true },
        },
        headers: { 'x-metrion-user': '  agent-7 ' },
      }),
    );
    expect(parsed).toMatchObject({
      provider: 'openai',
      wireFormat: 'openai',
      model: 'gpt-4o',
      streamed: true,
      callerWantsStreamUsage: true,
      requester: 'agent-7',
    });
  });

  it('requires max_tokens for Anthropic only', () => {
    const anthropic = { path: '/api/proxy/v1/messages' };
    expect(() =>
      parseProxyRequest(
        request({ ...anthropic, json: { model: 'claude-haiku-4-5', messages: [] } }),
      ),
    ).toThrow(/max_tokens/);
    expect(
      parseProxyRequest(
        request({ ...anthropic, json: { model: 'm', messages: [], max_tokens: 5 } }),
      ).provider,
    ).toBe('anthropic');
  });

  it.each([
    ['not JSON', new TextEncoder().encode('{nope'), /not valid JSON/],
    ['an array', new TextEncoder().encode('[1]'), /JSON object/],
    ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0x7d]), /not valid JSON/],
    ['no model', new TextEncoder().encode('{"messages":[]}'), /`model` is required/],
    ['no messages', new TextEncoder().encode('{"model":"x"}'), /`messages` is required/],
  ])('rejects a body that is %s', (_name, body, message) => {
    expect(() => parseProxyRequest(request({ body }))).toThrow(InvalidRequestError);
    expect(() => parseProxyRequest(request({ body }))).toThrow(message);
  });

  it('rejects oversize bodies before parsing them', () => {
    const body = new Uint8Array(MAX_PROXY_BODY_BYTES + 1);
    expect(() => parseProxyRequest(request({ body }))).toThrow(PayloadTooLargeError);
  });

  it('rejects requester labels that are too long or not printable', () => {
    expect(() =>
      parseProxyRequest(request({ headers: { 'x-metrion-user': 'a'.repeat(129) } })),
    ).toThrow(/x-metrion-user/);
    expect(() =>
      parseProxyRequest(request({ headers: { 'x-metrion-user': 'tab\there' } })),
    ).toThrow(/x-metrion-user/);
  });

  it('accepts a model of MAX_MODEL_ID_LENGTH (256) characters and refuses a longer one', () => {
    expect(MAX_MODEL_ID_LENGTH).toBe(256);
    const ok = parseProxyRequest(request({ json: { model: 'm'.repeat(256), messages: [] } }));
    expect(ok.model).toHaveLength(256);
    expect(() =>
      parseProxyRequest(request({ json: { model: 'm'.repeat(257), messages: [] } })),
    ).toThrow(InvalidRequestError);
    expect(() =>
      parseProxyRequest(request({ json: { model: 'm'.repeat(257), messages: [] } })),
    ).toThrow(/at most 256/);
  });

  it('refuses a model that is not well-formed Unicode (a lone surrogate cannot be stored)', () => {
    const body = new TextEncoder().encode('{"model":"gpt-\\ud800","messages":[]}');
    expect(() => parseProxyRequest(request({ body }))).toThrow(InvalidRequestError);
  });

  it('refuses x-metrion-user "-": it is the Logs filter value for "no label"', () => {
    expect(NO_REQUESTER_FILTER).toBe('-');
    expect(() => parseProxyRequest(request({ headers: { 'x-metrion-user': ' - ' } }))).toThrow(
      /x-metrion-user/,
    );
    expect(parseProxyRequest(request({ headers: { 'x-metrion-user': '-agent' } })).requester).toBe(
      '-agent',
    );
  });

  it('takes the requester from the body when x-metrion-user is absent; the header wins', () => {
    const json = { model: 'gpt-4o-mini', messages: [], user: 'end-user-1' };
    expect(parseProxyRequest(request({ json })).requester).toBe('end-user-1');
    expect(
      parseProxyRequest(request({ json, headers: { 'x-metrion-user': 'agent-7' } })).requester,
    ).toBe('agent-7');
    const anthropic = parseProxyRequest(
      request({
        path: '/api/proxy/v1/messages',
        json: { model: 'm', messages: [], max_tokens: 5, metadata: { user_id: 'a-1' } },
      }),
    );
    expect(anthropic.requester).toBe('a-1');
  });

  it('ignores an invalid body requester instead of refusing the request', () => {
    const json = { model: 'gpt-4o-mini', messages: [], user: 'x'.repeat(200) };
    expect(parseProxyRequest(request({ json })).requester).toBeUndefined();
  });

  it('reads x-metrion-tag-* headers into tags, and refuses a bad one before anything else', () => {
    const parsed = parseProxyRequest(
      request({ headers: { 'x-metrion-tag-feature': 'search', 'x-metrion-tag-team': 'core' } }),
    );
    expect(parsed.tags).toEqual({ feature: 'search', team: 'core' });
    expect(parseProxyRequest(request()).tags).toBeUndefined();
    expect(() => parseProxyRequest(request({ headers: { 'x-metrion-tag-Bad.Key': 'x' } }))).toThrow(
      /x-metrion-tag-Bad\.Key/,
    );
  });
});
