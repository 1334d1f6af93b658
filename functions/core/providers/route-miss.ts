import {
  isProviderId,
  PROVIDER_IDS,
  PROVIDERS,
  type ProviderId,
  type ProxyEndpoint,
  type WireFormat,
} from './provider-registry.ts';
import {
  MODEL_ID_SEGMENT,
  PROXY_PATH_PREFIX,
  PROXY_ROUTES,
  providerRoot,
  sdkBaseUrl,
  versionedRoot,
} from './routes.ts';

/** What Metrion knows of a path no route serves, for its 404 and its Logs row. */
export interface RouteMiss {
  /** The provider the path most likely meant: its envelope answers, its Logs row names it. */
  readonly provider: ProviderId;
  /** The endpoint the path asks for, when it ends like one of any provider's. */
  readonly endpoint: ProxyEndpoint | undefined;
  /** What happened and what to do next. */
  readonly message: string;
}

/** An endpoint path as SDKs append it to a base URL ending in `/v1` (`/chat/completions`). */
interface EndpointSuffix {
  readonly suffix: string;
  /** Matches a path tail ending in the suffix (a model id for `{model}`); group 1 is what precedes it. */
  readonly pattern: RegExp;
  readonly endpoint: ProxyEndpoint;
  /** The SDK families that call it (`/models` is called by both). */
  readonly wireFormats: ReadonlySet<WireFormat>;
}

const ENDPOINT_NAMES: Readonly<Record<ProxyEndpoint, string>> = {
  chat: 'chat',
  responses: 'Responses API',
  embeddings: 'embeddings',
  models: 'model list',
  model: 'model lookup',
  count_tokens: 'token counting',
};

/** Every endpoint suffix of the route table, longest first so `/messages/count_tokens` wins. */
const SUFFIXES: readonly EndpointSuffix[] = (() => {
  const bySuffix = new Map<string, { endpoint: ProxyEndpoint; wireFormats: Set<WireFormat> }>();
  for (const route of PROXY_ROUTES) {
    const root = versionedRoot(route.provider);
    if (!route.path.startsWith(`${root}/`)) continue;
    const suffix = route.path.slice(root.length);
    const entry = bySuffix.get(suffix) ?? { endpoint: route.endpoint, wireFormats: new Set() };
    entry.wireFormats.add(PROVIDERS[route.provider].wireFormat);
    bySuffix.set(suffix, entry);
  }
  return [...bySuffix.entries()]
    .map(([suffix, entry]) => ({
      suffix,
      pattern: new RegExp(`^(.*)${suffix.replace(MODEL_ID_SEGMENT, '[^/]+')}$`),
      ...entry,
    }))
    .sort((a, b) => b.suffix.length - a.suffix.length);
})();

/** Longest path echoed in a message (paths are the caller's input). */
const MAX_ECHOED_PATH_LENGTH = 200;

const echo = (path: string): string =>
  path.length <= MAX_ECHOED_PATH_LENGTH ? path : `${path.slice(0, MAX_ECHOED_PATH_LENGTH)}…`;

/** `a`, `a and b`, `a, b and c` (or `or`). */
function listed(items: readonly string[], conjunction: 'and' | 'or' = 'and'): string {
  return items.length < 2
    ? items.join('')
    : `${items.slice(0, -1).join(', ')} ${conjunction} ${items.at(-1)}`;
}

/** What a provider's SDK base URL serves: `POST /chat/completions, …` as the SDK appends them. */
function served(provider: ProviderId): string {
  const base = sdkBaseUrl(PROXY_PATH_PREFIX, provider);
  const root = `${versionedRoot(provider)}/`;
  return listed(
    PROXY_ROUTES.filter((route) => route.provider === provider && route.path.startsWith(root)).map(
      (route) => `${route.method} ${route.path.slice(base.length)}`,
    ),
  );
}

/** The SDK base URLs of `providers`, as alternatives. */
function baseUrlsOf(providers: readonly ProviderId[]): string {
  return listed(
    providers.map((id) => `${sdkBaseUrl(PROXY_PATH_PREFIX, id)} for ${PROVIDERS[id].displayName}`),
    'or',
  );
}

const ALL_BASE_URLS = baseUrlsOf(PROVIDER_IDS);
const OPENAI_COMPATIBLE = PROVIDER_IDS.filter((id) => PROVIDERS[id].wireFormat === 'openai');
const ANTHROPIC =
  PROVIDER_IDS.find((id) => PROVIDERS[id].wireFormat === 'anthropic') ?? 'anthropic';

/** The provider whose root the path starts with, and what follows that root. */
function locate(path: string): {
  readonly provider: ProviderId;
  readonly rest: string;
  /** A first segment that names no provider and no endpoint (`cohere`), if any. */
  readonly unknownSegment: string | undefined;
} {
  const afterPrefix = path.slice(PROXY_PATH_PREFIX.length);
  const first = afterPrefix.split('/')[1] ?? '';
  if (isProviderId(first) && providerRoot(first) !== PROXY_PATH_PREFIX) {
    return {
      provider: first,
      rest: path.slice(providerRoot(first).length),
      unknownSegment: undefined,
    };
  }
  const knownFirst =
    first === '' || first === 'v1' || SUFFIXES.some(({ suffix }) => suffix.startsWith(`/${first}`));
  return {
    provider: ANTHROPIC,
    rest: afterPrefix,
    unknownSegment: knownFirst || isProviderId(first) ? undefined : first,
  };
}

/** The endpoint suffix the path ends with (a model id stands for `{model}`), if any. */
function endingOf(
  tail: string,
): { readonly ending: EndpointSuffix; readonly extra: string } | undefined {
  for (const ending of SUFFIXES) {
    const match = ending.pattern.exec(tail);
    if (match) return { ending, extra: match[1] ?? '' };
  }
  return undefined;
}

/** A path that no base URL explains: the base URLs Metrion serves. */
function wrongBaseUrl(
  path: string,
  provider: ProviderId,
  endpoint: ProxyEndpoint | undefined,
  reason: string,
): RouteMiss {
  return {
    provider,
    endpoint,
    message: `No Metrion route at ${echo(path)}: ${reason}. Set your SDK's base URL to ${ALL_BASE_URLS}.`,
  };
}

/** The provider of a family, for a path whose endpoint only that family's SDKs call. */
function familyProvider(ending: EndpointSuffix, located: ProviderId): ProviderId {
  if (ending.wireFormats.has(PROVIDERS[located].wireFormat)) return located;
  return ending.wireFormats.has('anthropic') ? ANTHROPIC : 'openai';
}

/**
 * Why no route serves `path` (normalized, under {@link PROXY_PATH_PREFIX}), in words that lead
 * to the fix: an endpoint this provider does not offer through Metrion (the base URL is right:
 * the message lists what it serves), a path that is a base URL itself, an invalid model id, or
 * a base URL that is wrong (an unknown provider, extra segments, another SDK family's endpoint).
 */
export function explainRouteMiss(path: string): RouteMiss {
  const { provider, rest, unknownSegment } = locate(path);
  if (unknownSegment !== undefined) {
    const found = endingOf(rest);
    return wrongBaseUrl(
      path,
      found ? familyProvider(found.ending, 'openai') : 'openai',
      found?.ending.endpoint,
      `Metrion proxies no provider named "${echo(unknownSegment)}"`,
    );
  }
  const name = PROVIDERS[provider].displayName;
  const tail = rest === '/v1' || rest.startsWith('/v1/') ? rest.slice('/v1'.length) : rest;
  const base = sdkBaseUrl(PROXY_PATH_PREFIX, provider);
  if (tail === '') {
    return {
      provider,
      endpoint: undefined,
      message: `${echo(path)} is ${name}'s base URL, not an endpoint: set it as your SDK's base URL and the SDK adds the endpoint path. It serves ${served(provider)}.`,
    };
  }
  const found = endingOf(tail);
  if (found === undefined) {
    return {
      provider,
      endpoint: undefined,
      message: `Metrion does not proxy ${echo(path)}. ${name}'s base URL ${base} serves ${served(provider)}.`,
    };
  }
  const { ending, extra } = found;
  const given = path.slice(0, path.length - tail.length + extra.length);
  if (extra !== '') {
    return wrongBaseUrl(
      path,
      familyProvider(ending, provider),
      ending.endpoint,
      `${echo(given)} is not a base URL Metrion serves`,
    );
  }
  if (!ending.wireFormats.has(PROVIDERS[provider].wireFormat)) {
    const family = familyProvider(ending, provider);
    const sdk =
      PROVIDERS[family].wireFormat === 'anthropic' ? 'an Anthropic' : 'an OpenAI-compatible';
    const bases = baseUrlsOf(family === ANTHROPIC ? [ANTHROPIC] : OPENAI_COMPATIBLE);
    return {
      provider: family,
      endpoint: ending.endpoint,
      message: `No Metrion route at ${echo(path)}: ${ending.suffix} is called by ${sdk} SDK, but ${echo(given)} is ${name}'s base URL. Set that SDK's base URL to ${bases}.`,
    };
  }
  if (ending.endpoint === 'model' && PROVIDERS[provider].upstreamPaths.models !== undefined) {
    return {
      provider,
      endpoint: ending.endpoint,
      message: `${echo(path)} names no model Metrion can look up: a model id is one path segment of letters, digits and . _ : @ -. Check the model id.`,
    };
  }
  return {
    provider,
    endpoint: ending.endpoint,
    message: `${name} has no ${ENDPOINT_NAMES[ending.endpoint]} endpoint through Metrion (${ending.suffix}). Its base URL ${base} serves ${served(provider)}.`,
  };
}
