import { MethodNotAllowedError, NotFoundError } from '../errors.ts';
import type { ProviderId, ProxyEndpoint } from './provider-registry.ts';
import { explainRouteMiss } from './route-miss.ts';
import { findProxyRoute, type MatchedProxyRoute, normalizedProxyPath } from './routes.ts';

/**
 * A proxy request's route, resolved once. Either way `provider` names the provider whose error
 * envelope answers a failure (for a path no route serves, the one it most likely meant).
 */
export type ProxyRouteResolution =
  | { readonly kind: 'matched'; readonly provider: ProviderId; readonly route: MatchedProxyRoute }
  | {
      readonly kind: 'unmatched';
      readonly provider: ProviderId;
      /** The endpoint the path asks for, when it looks like one (for the refusal's Logs row). */
      readonly endpoint: ProxyEndpoint | undefined;
      /** The 404 (no route at this path) or 405 (the route takes another method). */
      readonly error: NotFoundError | MethodNotAllowedError;
    };

/** Resolves a request's method and path (without query string) against the route table. */
export function resolveProxyRoute(method: string, rawPath: string): ProxyRouteResolution {
  const path = normalizedProxyPath(rawPath);
  const route = findProxyRoute(path);
  if (route === undefined) {
    const { provider, endpoint, message } = explainRouteMiss(path);
    return { kind: 'unmatched', provider, endpoint, error: new NotFoundError(message) };
  }
  const verb = method.toUpperCase();
  if (verb !== route.method) {
    return {
      kind: 'unmatched',
      provider: route.provider,
      endpoint: route.endpoint,
      error: new MethodNotAllowedError(
        `${verb} is not supported on ${path}; send a ${route.method} request.`,
        [route.method],
      ),
    };
  }
  return { kind: 'matched', provider: route.provider, route };
}
