/**
 * The one list of providers Metrion proxies: how each authenticates upstream, which error
 * envelope its SDKs expect, and where its upstream lives by default. Upstream origins are
 * configuration (tests point them at local fakes); request paths are never taken from callers.
 */
export const PROVIDER_IDS = ['anthropic', 'openai', 'gemini', 'mistral', 'grok'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

/** `anthropic`: Anthropic Messages API. `openai`: OpenAI-compatible chat completions. */
export type WireFormat = 'anthropic' | 'openai';

/**
 * What a proxied call does. `chat` (chat completions / Anthropic messages), `responses` (OpenAI
 * Responses API) and `embeddings` are recorded and priced; `models`, `model` (one model by id)
 * and `count_tokens` are side calls SDKs make: passed through, authenticated and rate limited,
 * never recorded nor counted against the monthly cap.
 */
export const PROXY_ENDPOINTS = [
  'chat',
  'responses',
  'embeddings',
  'models',
  'model',
  'count_tokens',
] as const;
export type ProxyEndpoint = (typeof PROXY_ENDPOINTS)[number];

/** The endpoints whose calls are usage (recorded, priced, counted). */
export type UsageEndpoint = Extract<ProxyEndpoint, 'chat' | 'responses' | 'embeddings'>;

export function isUsageEndpoint(endpoint: ProxyEndpoint): endpoint is UsageEndpoint {
  return endpoint === 'chat' || endpoint === 'responses' || endpoint === 'embeddings';
}

export interface ProviderDefinition {
  readonly id: ProviderId;
  readonly displayName: string;
  readonly wireFormat: WireFormat;
  /** Default upstream origin (scheme + host), overridable by configuration only. */
  readonly defaultOrigin: string;
  /** Path appended to the origin for a chat request. */
  readonly upstreamPath: string;
  /**
   * Paths of the other endpoints the provider offers (the `model` endpoint is `models` plus
   * `/<id>`). An endpoint not listed has no proxy route for this provider.
   */
  readonly upstreamPaths: Readonly<
    Partial<Record<Exclude<ProxyEndpoint, 'chat' | 'model'>, string>>
  >;
  /** Where the customer revokes a key they deleted from Metrion. */
  readonly consoleKeysUrl: string;
  /** Light plausibility check for a stored key (not a validity check). */
  readonly keyPattern: RegExp;
}

export const PROVIDERS = {
  anthropic: {
    id: 'anthropic',
    displayName: 'Anthropic',
    wireFormat: 'anthropic',
    defaultOrigin: 'https://api.anthropic.com',
    upstreamPath: '/v1/messages',
    upstreamPaths: { count_tokens: '/v1/messages/count_tokens', models: '/v1/models' },
    consoleKeysUrl: 'https://console.anthropic.com/settings/keys',
    keyPattern: /^sk-ant-[A-Za-z0-9_-]{20,}$/,
  },
  openai: {
    id: 'openai',
    displayName: 'OpenAI',
    wireFormat: 'openai',
    defaultOrigin: 'https://api.openai.com',
    upstreamPath: '/v1/chat/completions',
    upstreamPaths: {
      responses: '/v1/responses',
      embeddings: '/v1/embeddings',
      models: '/v1/models',
    },
    consoleKeysUrl: 'https://platform.openai.com/api-keys',
    // Anthropic (`sk-ant-`) and Metrion (`sk-metrion-`) keys share the `sk-` prefix.
    keyPattern: /^sk-(?!ant-|metrion-)[A-Za-z0-9_-]{20,}$/,
  },
  gemini: {
    id: 'gemini',
    displayName: 'Gemini',
    wireFormat: 'openai',
    defaultOrigin: 'https://generativelanguage.googleapis.com',
    upstreamPath: '/v1beta/openai/chat/completions',
    upstreamPaths: { embeddings: '/v1beta/openai/embeddings', models: '/v1beta/openai/models' },
    consoleKeysUrl: 'https://aistudio.google.com/app/apikey',
    keyPattern: /^[A-Za-z0-9_-]{30,}$/,
  },
  mistral: {
    id: 'mistral',
    displayName: 'Mistral',
    wireFormat: 'openai',
    defaultOrigin: 'https://api.mistral.ai',
    upstreamPath: '/v1/chat/completions',
    upstreamPaths: { embeddings: '/v1/embeddings', models: '/v1/models' },
    consoleKeysUrl: 'https://console.mistral.ai/api-keys',
    keyPattern: /^[A-Za-z0-9]{24,}$/,
  },
  grok: {
    id: 'grok',
    displayName: 'Grok (xAI)',
    wireFormat: 'openai',
    defaultOrigin: 'https://api.x.ai',
    upstreamPath: '/v1/chat/completions',
    upstreamPaths: { responses: '/v1/responses', models: '/v1/models' },
    consoleKeysUrl: 'https://console.x.ai',
    keyPattern: /^xai-[A-Za-z0-9]{20,}$/,
  },
} as const satisfies Record<ProviderId, ProviderDefinition>;

export function isProviderId(value: string): value is ProviderId {
  return (PROVIDER_IDS as readonly string[]).includes(value);
}
