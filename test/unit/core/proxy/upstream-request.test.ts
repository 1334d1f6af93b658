import { describe, expect, it } from 'vitest';
import { parseProxyRequest } from '#core/proxy/parse-proxy-request.ts';
import { prepareUpstreamRequest, selectResponseHeaders } from '#core/proxy/upstream-request.ts';
import { usageRouteAt } from '../../../fixtures/usage-route.ts';

const origins = {
  anthropic: 'https://api.anthropic.com',
  openai: 'https://api.openai.com/',
  gemini: 'https://generativelanguage.googleapis.com',
  mistral: 'https://api.mistral.ai',
  grok: 'https://api.x.ai',
};

function prepare(path: string, json: unknown, headers: Record<string, string> = {}) {
  const body = new TextEncoder().encode(JSON.stringify(json));
  const parsed = parseProxyRequest(
    {
      requestId: 'r',
      method: 'POST',
      path,
      headers,
      body,
      receivedAtMs: 0,
      receivedAtMonotonicMs: 0,
    },
    usageRouteAt(path),
  );
  return {
    body,
    prepared: prepareUpstreamRequest(parsed, headers, body, 'sk-upstream-key', origins),
  };
}

describe('prepareUpstreamRequest', () => {
  it('builds the URL from the configured origin and the fixed path only', () => {
    const { prepared } = prepare(
      '/api/proxy/gemini/chat/completions',
      { model: 'gemini-2.5-flash', messages: [] },
      {
        host: 'evil.example',
        'x-forwarded-host': 'evil.example',
      },
    );
    expect(prepared.url).toBe(
      'https://generativelanguage.googleapis.com/v1beta/openai/chat/completions',
    );
  });

  it('sends Anthropic credentials as x-api-key with a default version, and forwards the caller version and beta', () => {
    const json = { model: 'claude-haiku-4-5', messages: [], max_tokens: 10 };
    expect(prepare('/api/proxy/v1/messages', json).prepared.headers).toMatchObject({
      'x-api-key': 'sk-upstream-key',
      'anthropic-version': '2023-06-01',
    });
    const withVersion = prepare('/api/proxy/v1/messages', json, {
      'anthropic-version': '2024-01-01',
      'anthropic-beta': 'prompt-caching-2024-07-31',
      authorization: 'Bearer sk-metrion-0123',
    }).prepared.headers;
    expect(withVersion['anthropic-version']).toBe('2024-01-01');
    expect(withVersion['anthropic-beta']).toBe('prompt-caching-2024-07-31');
    expect(withVersion.authorization).toBeUndefined();
  });

  it('passes the body through byte for byte unless usage must be requested', () => {
    const json = {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 0.25,
    };
    const { body, prepared } = prepare('/api/proxy/openai/v1/chat/completions', json);
    expect(prepared.body).toBe(body);
    expect(prepared.headers.authorization).toBe('Bearer sk-upstream-key');
    expect(prepared.stripUsageOnlyChunk).toBe(false);
  });

  it('asks OpenAI-compatible streams for usage when the caller did not, and strips it later', () => {
    const { prepared } = prepare('/api/proxy/mistral/v1/chat/completions', {
      model: 'mistral-small-latest',
      messages: [],
      stream: true,
      stream_options: { other: 1 },
    });
    expect(JSON.parse(new TextDecoder().decode(prepared.body)).stream_options).toEqual({
      other: 1,
      include_usage: true,
    });
    expect(prepared.stripUsageOnlyChunk).toBe(true);
  });

  it('leaves a caller-requested usage chunk alone', () => {
    const json = {
      model: 'gpt-4o',
      messages: [],
      stream: true,
      stream_options: { include_usage: true },
    };
    const { body, prepared } = prepare('/api/proxy/openai/v1/chat/completions', json);
    expect(prepared.body).toBe(body);
    expect(prepared.stripUsageOnlyChunk).toBe(false);
  });
});

describe('selectResponseHeaders', () => {
  it('keeps content type and provider ids, drops hop-by-hop and encoding headers', () => {
    expect(
      selectResponseHeaders({
        'content-type': 'text/event-stream',
        'x-request-id': 'abc',
        'anthropic-ratelimit-requests-remaining': '9',
        'content-length': '12',
        'content-encoding': 'gzip',
        connection: 'keep-alive',
        'set-cookie': 'a=b',
      }),
    ).toEqual({
      'content-type': 'text/event-stream',
      'x-request-id': 'abc',
      'anthropic-ratelimit-requests-remaining': '9',
    });
  });
});
