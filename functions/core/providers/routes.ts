import {
  isUsageEndpoint,
  PROVIDER_IDS,
  PROVIDERS,
  PROXY_ENDPOINTS,
  type ProviderDefinition,
  type ProviderId,
  type ProxyEndpoint,
  type UsageEndpoint,
} from './provider-registry.ts';

/**
 * The proxy's route table: every path a customer's SDK may call, and the provider it means.
 * API Gateway resources (lib/constructs/api.ts), the local server and the proxy handler all
 * read this list, so local and deployed routing cannot diverge.
 */
export const PROXY_PATH_PREFIX = '/api/proxy';

/** The path segment that stands for a model id in a route (`…/models/{model}`). */
export const MODEL_ID_SEGMENT = '{model}';

export interface ProxyRoute {
  /** Literal, except a trailing {@link MODEL_ID_SEGMENT} (one path segment). */
  readonly path: string;
  readonly provider: ProviderId;
  readonly endpoint: ProxyEndpoint;
  /** `POST`, or `GET` for the model list and lookup. */
  readonly method: 'POST' | 'GET';
}

/** A request path resolved to its route and the provider path it goes to. */
export interface MatchedProxyRoute extends ProxyRoute {
  /** Path appended to the provider's configured origin (never a host). */
  readonly upstreamPath: string;
}

/** A route whose calls are usage (recorded, priced, counted): chat, Responses API, embeddings. */
export interface UsageRoute extends MatchedProxyRoute {
  readonly endpoint: UsageEndpoint;
}

export function isUsageRoute(route: MatchedProxyRoute): route is UsageRoute {
  return isUsageEndpoint(route.endpoint);
}

/** What an SDK appends to its base URL for each endpoint. */
const ENDPOINT_SUFFIX: Readonly<Record<ProxyEndpoint, string>> = {
  chat: '/chat/completions',
  responses: '/responses',
  embeddings: '/embeddings',
  models: '/models',
  model: `/models/${MODEL_ID_SEGMENT}`,
  count_tokens: '/messages/count_tokens',
};

function endpointsOf(provider: ProviderId): ProxyEndpoint[] {
  const upstreamPaths: ProviderDefinition['upstreamPaths'] = PROVIDERS[provider].upstreamPaths;
  return PROXY_ENDPOINTS.filter((endpoint) =>
    endpoint === 'chat'
      ? true
      : endpoint === 'model'
        ? upstreamPaths.models !== undefined
        : upstreamPaths[endpoint] !== undefined,
  );
}

/** Where a provider's routes start: the proxy prefix, plus `/<provider>` unless Anthropic's. */
export function providerRoot(provider: ProviderId): string {
  return PROVIDERS[provider].wireFormat === 'anthropic'
    ? PROXY_PATH_PREFIX
    : `${PROXY_PATH_PREFIX}/${provider}`;
}

/** A provider's root with `/v1`: what OpenAI-compatible SDKs append endpoint paths to. */
export function versionedRoot(provider: ProviderId): string {
  return `${providerRoot(provider)}/v1`;
}

/** Each endpoint of a provider, with and without `/v1` (Anthropic's routes have no provider segment). */
function routesOf(provider: ProviderId): ProxyRoute[] {
  const anthropic = PROVIDERS[provider].wireFormat === 'anthropic';
  const root = providerRoot(provider);
  return endpointsOf(provider).flatMap((endpoint) => {
    const suffix = anthropic && endpoint === 'chat' ? '/messages' : ENDPOINT_SUFFIX[endpoint];
    const method = endpoint === 'models' || endpoint === 'model' ? 'GET' : 'POST';
    return [
      { path: `${root}/v1${suffix}`, provider, endpoint, method },
      { path: `${root}${suffix}`, provider, endpoint, method },
    ];
  });
}

export const PROXY_ROUTES: readonly ProxyRoute[] = PROVIDER_IDS.flatMap(routesOf);

/**
 * The base URL a customer sets in their provider's SDK, given where the proxy lives
 * (`proxyRoot`: origin + {@link PROXY_PATH_PREFIX}). Anthropic's SDK appends `/v1/messages`
 * itself, so its base is the root; OpenAI-compatible SDKs append `/chat/completions`, so theirs
 * is `<root>/<provider>/v1`. Every such URL plus its SDK's suffix is a {@link PROXY_ROUTES} path.
 */
export function sdkBaseUrl(proxyRoot: string, provider: ProviderId): string {
  return PROVIDERS[provider].wireFormat === 'anthropic' ? proxyRoot : `${proxyRoot}/${provider}/v1`;
}

/**
 * The base URL for the Vercel AI SDK's provider packages: `@ai-sdk/anthropic` appends only
 * `/messages`, so its base is `<root>/v1`; `@ai-sdk/openai` takes the same base as `openai`.
 */
export function aiSdkBaseUrl(proxyRoot: string, provider: ProviderId): string {
  return PROVIDERS[provider].wireFormat === 'anthropic'
    ? `${proxyRoot}/v1`
    : sdkBaseUrl(proxyRoot, provider);
}

/** {@link sdkBaseUrl} for every provider. */
export function sdkBaseUrls(proxyRoot: string): Record<ProviderId, string> {
  return Object.fromEntries(PROVIDER_IDS.map((id) => [id, sdkBaseUrl(proxyRoot, id)])) as Record<
    ProviderId,
    string
  >;
}

/** A model id as providers name them: one path segment, no encoding, no dot-segments. */
const MODEL_ID_PATTERN = /^(?!\.{1,2}$)[A-Za-z0-9._:@-]{1,256}$/;

function upstreamPathOf(route: ProxyRoute, modelId: string | undefined): string {
  const provider: ProviderDefinition = PROVIDERS[route.provider];
  switch (route.endpoint) {
    case 'chat':
      return provider.upstreamPath;
    case 'model':
      return `${provider.upstreamPaths.models}/${modelId}`;
    default:
      return provider.upstreamPaths[route.endpoint] ?? provider.upstreamPath;
  }
}

function findRoute(path: string): { route: ProxyRoute; modelId: string | undefined } | undefined {
  const literal = PROXY_ROUTES.find((candidate) => candidate.path === path);
  if (literal) return { route: literal, modelId: undefined };
  const slash = path.lastIndexOf('/');
  const modelId = path.slice(slash + 1);
  if (!MODEL_ID_PATTERN.test(modelId)) return undefined;
  const pattern = `${path.slice(0, slash)}/${MODEL_ID_SEGMENT}`;
  const route = PROXY_ROUTES.find((candidate) => candidate.path === pattern);
  return route && { route, modelId };
}

/** The path as routes spell it: without trailing slashes (`/api/proxy/openai/v1/` is the base). */
export function normalizedProxyPath(rawPath: string): string {
  return rawPath.length > 1 ? rawPath.replace(/\/+$/, '') : rawPath;
}

/**
 * The route at a normalized path (see {@link normalizedProxyPath}), whatever the method, with the
 * provider path it goes to; undefined when no route has this path.
 */
export function findProxyRoute(path: string): MatchedProxyRoute | undefined {
  const found = findRoute(path);
  return found && { ...found.route, upstreamPath: upstreamPathOf(found.route, found.modelId) };
}
