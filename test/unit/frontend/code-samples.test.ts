import { describe, expect, it } from 'vitest';
import { PROXY_ROUTES } from '#core/providers/routes.ts';
import {
  codeSample,
  SAMPLE_LANGUAGES,
  SAMPLE_MODES,
} from '../../../frontend/src/lib/code-samples.ts';
import { PROVIDER_IDS, proxyBaseUrl } from '../../../frontend/src/lib/providers.ts';

const ORIGIN = 'https://app.metrion.example';
const KEY = `sk-metrion-${'0'.repeat(32)}`;

describe('proxyBaseUrl', () => {
  it.each([
    ['anthropic', `${ORIGIN}/api/proxy`],
    ['openai', `${ORIGIN}/api/proxy/openai/v1`],
    ['gemini', `${ORIGIN}/api/proxy/gemini/v1`],
    ['mistral', `${ORIGIN}/api/proxy/mistral/v1`],
    ['grok', `${ORIGIN}/api/proxy/grok/v1`],
  ] as const)('gives %s the base URL its SDK expects', (provider, expected) => {
    expect(proxyBaseUrl(ORIGIN, '/api/proxy', provider)).toBe(expected);
  });

  it('points every SDK at a path the proxy routes (SDK suffix appended)', () => {
    const routed = new Set(PROXY_ROUTES.map((route) => route.path));
    for (const provider of PROVIDER_IDS) {
      const path = new URL(proxyBaseUrl(ORIGIN, '/api/proxy', provider)).pathname;
      const sdkSuffix = provider === 'anthropic' ? '/v1/messages' : '/chat/completions';
      expect(routed, provider).toContain(`${path}${sdkSuffix}`);
    }
  });
});

describe('codeSample', () => {
  const cases = PROVIDER_IDS.flatMap((provider) =>
    SAMPLE_LANGUAGES.flatMap((language) =>
      SAMPLE_MODES.map((mode) => ({ provider, language, mode })),
    ),
  );

  it.each(cases)('$language $mode sample for $provider uses the base URL and the key', (input) => {
    const baseUrl = proxyBaseUrl(ORIGIN, '/api/proxy', input.provider);
    const code = codeSample({ ...input, baseUrl, metrionKey: KEY });

    expect(code).toContain(baseUrl);
    expect(code).toContain(KEY);
    if (input.mode === 'stored') {
      expect(code).not.toContain('x-metrion-token');
    } else {
      // The provider key comes from the environment; the Metrion Key only names the account.
      expect(code).toMatch(/x-metrion-token/);
      expect(code).not.toMatch(new RegExp(`api_?[kK]ey[=:]\\s*["']${KEY}`));
    }
    const sdk = input.provider === 'anthropic' ? /anthropic/i : /openai/i;
    expect(code).toMatch(sdk);
  });
});

describe('Responses API and AI SDK samples (issue 14)', () => {
  const sample = (provider: (typeof PROVIDER_IDS)[number], language: 'typescript' | 'ai-sdk') =>
    codeSample({
      provider,
      language,
      mode: 'stored',
      baseUrl: proxyBaseUrl(ORIGIN, '/api/proxy', provider),
      metrionKey: KEY,
    });

  it('shows the Responses API where the provider has it, chat completions elsewhere', () => {
    expect(sample('openai', 'typescript')).toContain('client.responses.create(');
    expect(sample('grok', 'typescript')).toContain('client.responses.create(');
    expect(sample('gemini', 'typescript')).toContain('client.chat.completions.create(');
  });

  it('shows the AI SDK with the provider the proxy routes', () => {
    expect(sample('openai', 'ai-sdk')).toContain("model: openai('gpt-4o-mini')");
    expect(sample('mistral', 'ai-sdk')).toContain("mistral.chat('mistral-small-latest')");
    expect(sample('anthropic', 'ai-sdk')).toContain(`baseURL: '${ORIGIN}/api/proxy/v1'`);
    const routed = new Set(PROXY_ROUTES.map((route) => route.path));
    expect(routed).toContain('/api/proxy/v1/messages');
    expect(routed).toContain('/api/proxy/openai/v1/responses');
  });
});
