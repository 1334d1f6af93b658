import { PROVIDER_IDS, PROVIDERS, type ProviderId } from '#contracts/providers.ts';

export { PROVIDER_IDS, PROVIDERS, type ProviderId };

/** A display name for a provider code from the API. */
export function providerName(provider: ProviderId): string {
  return PROVIDERS[provider].displayName;
}

/**
 * The base URL a customer sets in their SDK (product.md §1): Anthropic's SDK appends
 * `/v1/messages` itself, OpenAI-compatible SDKs append `/chat/completions`.
 */
export function proxyBaseUrl(origin: string, proxyBasePath: string, provider: ProviderId): string {
  const base = `${origin}${proxyBasePath}`;
  return PROVIDERS[provider].wireFormat === 'anthropic' ? base : `${base}/${provider}/v1`;
}
