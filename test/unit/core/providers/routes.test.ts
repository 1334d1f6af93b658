import { describe, expect, it } from 'vitest';
import { MethodNotAllowedError, NotFoundError } from '#core/errors.ts';
import { PROVIDER_IDS, PROVIDERS } from '#core/providers/provider-registry.ts';
import { resolveProxyRoute } from '#core/providers/resolve-proxy-route.ts';
import {
  type MatchedProxyRoute,
  PROXY_PATH_PREFIX,
  PROXY_ROUTES,
  sdkBaseUrl,
  sdkBaseUrls,
} from '#core/providers/routes.ts';

/** The route `method path` resolves to; throws the resolution's error when there is none. */
function matchProxyRoute(method: string, path: string): MatchedProxyRoute {
  const resolved = resolveProxyRoute(method, path);
  if (resolved.kind === 'unmatched') throw resolved.error;
  return resolved.route;
}

describe('resolveProxyRoute', () => {
  it.each([
    ['/api/proxy/v1/messages', 'anthropic'],
    ['/api/proxy/messages', 'anthropic'],
    ['/api/proxy/openai/v1/chat/completions', 'openai'],
    ['/api/proxy/openai/chat/completions/', 'openai'],
    ['/api/proxy/gemini/v1/chat/completions', 'gemini'],
    ['/api/proxy/mistral/chat/completions', 'mistral'],
    ['/api/proxy/grok/v1/chat/completions', 'grok'],
    ['/api/proxy/openai/v1/responses', 'openai'],
    ['/api/proxy/grok/responses', 'grok'],
    ['/api/proxy/gemini/v1/embeddings', 'gemini'],
    ['/api/proxy/v1/messages/count_tokens', 'anthropic'],
  ])('routes %s to %s', (path, provider) => {
    expect(matchProxyRoute('POST', path).provider).toBe(provider);
  });

  it.each([
    ['POST', '/api/proxy/openai/v1/responses', 'responses', '/v1/responses'],
    ['POST', '/api/proxy/grok/v1/responses', 'responses', '/v1/responses'],
    ['POST', '/api/proxy/openai/embeddings', 'embeddings', '/v1/embeddings'],
    ['POST', '/api/proxy/gemini/v1/embeddings', 'embeddings', '/v1beta/openai/embeddings'],
    ['POST', '/api/proxy/mistral/v1/embeddings', 'embeddings', '/v1/embeddings'],
    ['GET', '/api/proxy/openai/v1/models', 'models', '/v1/models'],
    [
      'GET',
      '/api/proxy/gemini/v1/models/gemini-2.5-flash',
      'model',
      '/v1beta/openai/models/gemini-2.5-flash',
    ],
    ['GET', '/api/proxy/v1/models/claude-sonnet-4-5', 'model', '/v1/models/claude-sonnet-4-5'],
    ['POST', '/api/proxy/messages/count_tokens', 'count_tokens', '/v1/messages/count_tokens'],
  ])('%s %s is the %s endpoint at upstream %s', (method, path, endpoint, upstreamPath) => {
    expect(matchProxyRoute(method, path)).toMatchObject({ endpoint, upstreamPath });
  });

  it('has no Responses API on Gemini or Mistral and no embeddings on Grok', () => {
    for (const path of [
      '/api/proxy/gemini/v1/responses',
      '/api/proxy/mistral/v1/responses',
      '/api/proxy/grok/v1/embeddings',
    ]) {
      expect(() => matchProxyRoute('POST', path)).toThrow(NotFoundError);
    }
  });

  it('takes a model id only as one plain path segment', () => {
    for (const path of [
      '/api/proxy/openai/v1/models/..',
      '/api/proxy/openai/v1/models/a%2F..%2Fb',
      '/api/proxy/openai/v1/models/a/b',
      '/api/proxy/openai/v1/models/',
    ]) {
      if (path.endsWith('/models/')) {
        expect(matchProxyRoute('GET', path).endpoint).toBe('models');
        continue;
      }
      expect(() => matchProxyRoute('GET', path)).toThrow(NotFoundError);
    }
  });

  it('rejects unknown paths, including ones that try to name another host', () => {
    for (const path of [
      '/api/proxy/cohere/v1/chat',
      '/api/proxy//evil.example/v1/messages',
      '/api/proxy/openai/v1/files',
    ]) {
      expect(() => matchProxyRoute('POST', path)).toThrow(NotFoundError);
    }
  });

  it('rejects other methods on a known path', () => {
    expect(() => matchProxyRoute('GET', '/api/proxy/v1/messages')).toThrow(MethodNotAllowedError);
    expect(() => matchProxyRoute('GET', '/api/proxy/v1/messages')).toThrow(
      expect.objectContaining({ allowedMethods: ['POST'] }),
    );
  });

  it('has each endpoint with and without /v1', () => {
    // Anthropic 4 endpoints, OpenAI 5, Gemini 4, Mistral 4, Grok 4; two paths each.
    expect(PROXY_ROUTES).toHaveLength(42);
  });

  it('takes GET on the model list and POST elsewhere', () => {
    expect(() => matchProxyRoute('POST', '/api/proxy/openai/v1/models')).toThrow(
      expect.objectContaining({ allowedMethods: ['GET'] }),
    );
  });

  it.each([
    ['POST', '/api/proxy/v1/models', 'anthropic', 'models'],
    ['GET', '/api/proxy/mistral/v1/embeddings', 'mistral', 'embeddings'],
    ['POST', '/api/proxy/nope', 'openai', undefined],
    ['POST', '/api/proxy/mistral/v1/responses', 'mistral', 'responses'],
  ])('names the provider and endpoint of the refused %s %s', (method, path, provider, endpoint) => {
    expect(resolveProxyRoute(method, path)).toMatchObject({
      kind: 'unmatched',
      provider,
      endpoint,
    });
  });
});

describe('sdkBaseUrl', () => {
  const root = `https://metrion.example${PROXY_PATH_PREFIX}`;

  it('is the proxy root for Anthropic and <root>/<provider>/v1 for OpenAI-compatible SDKs', () => {
    expect(sdkBaseUrls(root)).toEqual({
      anthropic: root,
      openai: `${root}/openai/v1`,
      gemini: `${root}/gemini/v1`,
      mistral: `${root}/mistral/v1`,
      grok: `${root}/grok/v1`,
    });
  });

  it.each(PROVIDER_IDS)('leads %s SDK calls to one of its proxy routes', (provider) => {
    // What each SDK appends to its base URL.
    const suffix =
      PROVIDERS[provider].wireFormat === 'anthropic' ? '/v1/messages' : '/chat/completions';
    expect(
      matchProxyRoute('POST', `${sdkBaseUrl(PROXY_PATH_PREFIX, provider)}${suffix}`),
    ).toMatchObject({
      path: `${sdkBaseUrl(PROXY_PATH_PREFIX, provider)}${suffix}`,
      provider,
      endpoint: 'chat',
    });
  });
});
