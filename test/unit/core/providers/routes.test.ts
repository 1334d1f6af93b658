import { describe, expect, it } from 'vitest';
import { MethodNotAllowedError, NotFoundError } from '#core/errors.ts';
import { PROVIDER_IDS, PROVIDERS } from '#core/providers/provider-registry.ts';
import {
  guessProviderFromPath,
  matchProxyRoute,
  PROXY_PATH_PREFIX,
  PROXY_ROUTES,
  sdkBaseUrl,
  sdkBaseUrls,
} from '#core/providers/routes.ts';

describe('matchProxyRoute', () => {
  it.each([
    ['/api/proxy/v1/messages', 'anthropic'],
    ['/api/proxy/messages', 'anthropic'],
    ['/api/proxy/openai/v1/chat/completions', 'openai'],
    ['/api/proxy/openai/chat/completions/', 'openai'],
    ['/api/proxy/gemini/v1/chat/completions', 'gemini'],
    ['/api/proxy/mistral/chat/completions', 'mistral'],
    ['/api/proxy/grok/v1/chat/completions', 'grok'],
  ])('routes %s to %s', (path, provider) => {
    expect(matchProxyRoute('POST', path).provider).toBe(provider);
  });

  it('rejects unknown paths, including ones that try to name another host', () => {
    for (const path of [
      '/api/proxy/cohere/v1/chat',
      '/api/proxy//evil.example/v1/messages',
      '/api/proxy/openai/v1/models',
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

  it('has two routes per provider', () => {
    expect(PROXY_ROUTES).toHaveLength(10);
  });

  it('guesses the provider of an unmatched path for the error envelope', () => {
    expect(guessProviderFromPath('/api/proxy/v1/models')).toBe('anthropic');
    expect(guessProviderFromPath('/api/proxy/mistral/v1/embeddings')).toBe('mistral');
    expect(guessProviderFromPath('/api/proxy/nope')).toBe('openai');
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
    expect(matchProxyRoute('POST', `${sdkBaseUrl(PROXY_PATH_PREFIX, provider)}${suffix}`)).toEqual({
      path: `${sdkBaseUrl(PROXY_PATH_PREFIX, provider)}${suffix}`,
      provider,
    });
  });
});
