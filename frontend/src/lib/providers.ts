import {
  isProviderId,
  PROVIDER_IDS,
  PROVIDERS,
  type ProviderId,
  sdkBaseUrl,
} from '#contracts/providers.ts';

export { isProviderId, PROVIDER_IDS, PROVIDERS, type ProviderId };

/** A display name for a provider code from the API. */
export function providerName(provider: ProviderId): string {
  return PROVIDERS[provider].displayName;
}

/** A provider id from the usage API as people read it (`openai` -> `OpenAI`). */
export function providerLabel(provider: string): string {
  return isProviderId(provider) ? providerName(provider) : provider;
}

/**
 * The base URL a customer sets in their SDK (product.md §1), from the page's origin and the
 * proxy path `GET /api/config` reports; the rule itself is the core's `sdkBaseUrl`.
 */
export function proxyBaseUrl(origin: string, proxyBasePath: string, provider: ProviderId): string {
  return sdkBaseUrl(`${origin}${proxyBasePath}`, provider);
}
