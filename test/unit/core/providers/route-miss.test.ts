import { describe, expect, it } from 'vitest';
import { explainRouteMiss } from '#core/providers/route-miss.ts';

const ALL_BASE_URLS =
  "Set your SDK's base URL to /api/proxy for Anthropic, /api/proxy/openai/v1 for OpenAI, /api/proxy/gemini/v1 for Gemini, /api/proxy/mistral/v1 for Mistral or /api/proxy/grok/v1 for Grok (xAI).";

describe('explainRouteMiss: an endpoint the provider does not offer (the base URL is right)', () => {
  it.each([
    [
      '/api/proxy/mistral/v1/responses',
      'mistral',
      'responses',
      'Mistral has no Responses API endpoint through Metrion (/responses). Its base URL /api/proxy/mistral/v1 serves POST /chat/completions, POST /embeddings, GET /models and GET /models/{model}.',
    ],
    [
      '/api/proxy/gemini/responses',
      'gemini',
      'responses',
      'Gemini has no Responses API endpoint through Metrion (/responses). Its base URL /api/proxy/gemini/v1 serves POST /chat/completions, POST /embeddings, GET /models and GET /models/{model}.',
    ],
    [
      '/api/proxy/grok/v1/embeddings',
      'grok',
      'embeddings',
      'Grok (xAI) has no embeddings endpoint through Metrion (/embeddings). Its base URL /api/proxy/grok/v1 serves POST /chat/completions, POST /responses, GET /models and GET /models/{model}.',
    ],
  ])(
    '%s: names the missing endpoint and lists what the base URL serves',
    (path, provider, endpoint, message) => {
      expect(explainRouteMiss(path)).toEqual({ provider, endpoint, message });
    },
  );

  it.each([
    [
      '/api/proxy/openai/v1/files',
      'openai',
      "Metrion does not proxy /api/proxy/openai/v1/files. OpenAI's base URL /api/proxy/openai/v1 serves POST /chat/completions, POST /responses, POST /embeddings, GET /models and GET /models/{model}.",
    ],
    [
      '/api/proxy/v1/complete',
      'anthropic',
      "Metrion does not proxy /api/proxy/v1/complete. Anthropic's base URL /api/proxy serves POST /v1/messages, GET /v1/models, GET /v1/models/{model} and POST /v1/messages/count_tokens.",
    ],
  ])('%s: an endpoint of no provider is not proxied', (path, provider, message) => {
    expect(explainRouteMiss(path)).toEqual({ provider, endpoint: undefined, message });
  });

  it('says a base URL is not an endpoint', () => {
    expect(explainRouteMiss('/api/proxy/mistral/v1').message).toBe(
      "/api/proxy/mistral/v1 is Mistral's base URL, not an endpoint: set it as your SDK's base URL and the SDK adds the endpoint path. It serves POST /chat/completions, POST /embeddings, GET /models and GET /models/{model}.",
    );
  });

  it('says a model id that is not one plain segment is the problem, not the base URL', () => {
    const miss = explainRouteMiss('/api/proxy/openai/v1/models/..');
    expect(miss).toMatchObject({ provider: 'openai', endpoint: 'model' });
    expect(miss.message).toContain('names no model');
    expect(miss.message).not.toContain('base URL');
  });
});

describe('explainRouteMiss: a wrong base URL', () => {
  it.each([
    [
      '/api/proxy/cohere/v1/chat/completions',
      'openai',
      'chat',
      `No Metrion route at /api/proxy/cohere/v1/chat/completions: Metrion proxies no provider named "cohere". ${ALL_BASE_URLS}`,
    ],
    [
      '/api/proxy/openai/v2/chat/completions',
      'openai',
      'chat',
      `No Metrion route at /api/proxy/openai/v2/chat/completions: /api/proxy/openai/v2 is not a base URL Metrion serves. ${ALL_BASE_URLS}`,
    ],
    [
      '/api/proxy/openai/v1/v1/chat/completions',
      'openai',
      'chat',
      `No Metrion route at /api/proxy/openai/v1/v1/chat/completions: /api/proxy/openai/v1/v1 is not a base URL Metrion serves. ${ALL_BASE_URLS}`,
    ],
    [
      '/api/proxy/anthropic/v1/messages',
      'anthropic',
      'chat',
      `No Metrion route at /api/proxy/anthropic/v1/messages: /api/proxy/anthropic/v1 is not a base URL Metrion serves. ${ALL_BASE_URLS}`,
    ],
  ])('%s: lists every base URL', (path, provider, endpoint, message) => {
    expect(explainRouteMiss(path)).toEqual({ provider, endpoint, message });
  });

  it('tells an OpenAI-compatible SDK on the Anthropic base URL where to go, in its envelope', () => {
    expect(explainRouteMiss('/api/proxy/v1/chat/completions')).toEqual({
      provider: 'openai',
      endpoint: 'chat',
      message:
        "No Metrion route at /api/proxy/v1/chat/completions: /chat/completions is called by an OpenAI-compatible SDK, but /api/proxy/v1 is Anthropic's base URL. Set that SDK's base URL to /api/proxy/openai/v1 for OpenAI, /api/proxy/gemini/v1 for Gemini, /api/proxy/mistral/v1 for Mistral or /api/proxy/grok/v1 for Grok (xAI).",
    });
  });

  it('tells an Anthropic SDK on an OpenAI-compatible base URL where to go, in its envelope', () => {
    expect(explainRouteMiss('/api/proxy/openai/v1/messages')).toEqual({
      provider: 'anthropic',
      endpoint: 'chat',
      message:
        "No Metrion route at /api/proxy/openai/v1/messages: /messages is called by an Anthropic SDK, but /api/proxy/openai/v1 is OpenAI's base URL. Set that SDK's base URL to /api/proxy for Anthropic.",
    });
  });

  it('names an unknown provider even when the endpoint is unknown too', () => {
    expect(explainRouteMiss('/api/proxy/cohere/v1/generate')).toMatchObject({
      provider: 'openai',
      endpoint: undefined,
      message: expect.stringContaining('Metrion proxies no provider named "cohere"'),
    });
  });

  it('echoes at most 200 characters of a long path', () => {
    const path = `/api/proxy/openai/v1/${'x'.repeat(500)}`;
    expect(explainRouteMiss(path).message).toContain(`${path.slice(0, 200)}…`);
    expect(explainRouteMiss(path).message).not.toContain(path);
  });
});
