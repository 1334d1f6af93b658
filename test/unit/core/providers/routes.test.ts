import { describe, expect, it } from 'vitest';
import { MethodNotAllowedError, NotFoundError } from '#core/errors.ts';
import { guessProviderFromPath, matchProxyRoute, PROXY_ROUTES } from '#core/providers/routes.ts';

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
