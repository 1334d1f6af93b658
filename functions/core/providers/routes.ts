import { MethodNotAllowedError, NotFoundError } from '../errors.ts';
import { PROVIDER_IDS, PROVIDERS, type ProviderId } from './provider-registry.ts';

/**
 * The proxy's route table: every path a customer's SDK may call, and the provider it means.
 * API Gateway resources (lib/constructs/api.ts), the local server and the proxy handler all
 * read this list, so local and deployed routing cannot diverge.
 */
export const PROXY_PATH_PREFIX = '/api/proxy';

export interface ProxyRoute {
  readonly path: string;
  readonly provider: ProviderId;
}

const openAiCompatible = (provider: ProviderId): ProxyRoute[] => [
  { path: `${PROXY_PATH_PREFIX}/${provider}/v1/chat/completions`, provider },
  { path: `${PROXY_PATH_PREFIX}/${provider}/chat/completions`, provider },
];

export const PROXY_ROUTES: readonly ProxyRoute[] = [
  { path: `${PROXY_PATH_PREFIX}/v1/messages`, provider: 'anthropic' },
  { path: `${PROXY_PATH_PREFIX}/messages`, provider: 'anthropic' },
  ...openAiCompatible('openai'),
  ...openAiCompatible('gemini'),
  ...openAiCompatible('mistral'),
  ...openAiCompatible('grok'),
];

export const PROXY_METHOD = 'POST';

/**
 * The base URL a customer sets in their provider's SDK, given where the proxy lives
 * (`proxyRoot`: origin + {@link PROXY_PATH_PREFIX}). Anthropic's SDK appends `/v1/messages`
 * itself, so its base is the root; OpenAI-compatible SDKs append `/chat/completions`, so theirs
 * is `<root>/<provider>/v1`. Every such URL plus its SDK's suffix is a {@link PROXY_ROUTES} path.
 */
export function sdkBaseUrl(proxyRoot: string, provider: ProviderId): string {
  return PROVIDERS[provider].wireFormat === 'anthropic' ? proxyRoot : `${proxyRoot}/${provider}/v1`;
}

/** {@link sdkBaseUrl} for every provider. */
export function sdkBaseUrls(proxyRoot: string): Record<ProviderId, string> {
  return Object.fromEntries(PROVIDER_IDS.map((id) => [id, sdkBaseUrl(proxyRoot, id)])) as Record<
    ProviderId,
    string
  >;
}

/** Which provider an unmatched path most likely meant, so its error uses that SDK's envelope. */
export function guessProviderFromPath(path: string): ProviderId {
  const segment = path.slice(PROXY_PATH_PREFIX.length).split('/')[1];
  const match = PROXY_ROUTES.find((route) => route.provider === segment);
  return match?.provider ?? (segment === 'v1' || segment === 'messages' ? 'anthropic' : 'openai');
}

/**
 * Resolves a request path (without query string) to its route.
 * @throws NotFoundError when no route has this path.
 * @throws MethodNotAllowedError when the path exists but the method is not POST.
 */
export function matchProxyRoute(method: string, rawPath: string): ProxyRoute {
  const path = rawPath.length > 1 ? rawPath.replace(/\/+$/, '') : rawPath;
  const route = PROXY_ROUTES.find((candidate) => candidate.path === path);
  if (!route) {
    throw new NotFoundError(
      `No Metrion proxy route at ${path}. Set your SDK's base URL to ${PROXY_PATH_PREFIX} (Anthropic) or ${PROXY_PATH_PREFIX}/<provider>/v1 (OpenAI, Gemini, Mistral, Grok).`,
    );
  }
  if (method.toUpperCase() !== PROXY_METHOD) {
    throw new MethodNotAllowedError(
      `${method.toUpperCase()} is not supported on ${path}; send a POST request.`,
      [PROXY_METHOD],
    );
  }
  return route;
}
