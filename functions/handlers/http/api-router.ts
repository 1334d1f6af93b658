import type { ApiRoute } from '#contracts/api-routes.ts';

/** The outcome of matching a request against a route table. */
export type RouteMatch<Name extends string> =
  | { readonly kind: 'matched'; readonly name: Name; readonly params: Record<string, string> }
  | { readonly kind: 'method_not_allowed'; readonly allowedMethods: readonly string[] }
  | { readonly kind: 'not_found' };

interface CompiledRoute<Name extends string> {
  readonly name: Name;
  readonly method: string;
  /** Literal segments as strings, parameters as `{ param }`. */
  readonly segments: ReadonlyArray<string | { readonly param: string }>;
}

const PARAM_SEGMENT = /^\{([A-Za-z][A-Za-z0-9]*)\}$/;

function compile<Name extends string>(name: Name, route: ApiRoute): CompiledRoute<Name> {
  const segments = route.path
    .split('/')
    .slice(1)
    .map((segment) => {
      const param = PARAM_SEGMENT.exec(segment)?.[1];
      return param === undefined ? segment : { param };
    });
  return { name, method: route.method, segments };
}

/** Path parameters when `segments` match the template, else undefined. */
function matchPath(
  template: CompiledRoute<string>['segments'],
  segments: readonly string[],
): Record<string, string> | undefined {
  if (template.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, expected] of template.entries()) {
    const actual = segments[index] ?? '';
    if (typeof expected === 'string') {
      if (actual !== expected) return undefined;
      continue;
    }
    if (actual.length === 0) return undefined;
    try {
      params[expected.param] = decodeURIComponent(actual);
    } catch {
      return undefined;
    }
  }
  return params;
}

/**
 * A matcher over an API Gateway style route table (`/api/settings/providers/{provider}`): one
 * path segment per parameter, literal segments compared exactly. A path that exists for other
 * methods is `method_not_allowed` (405 with `Allow`), anything else `not_found`.
 */
export function createApiRouter<Name extends string>(
  routes: Readonly<Record<Name, ApiRoute>>,
): (method: string, path: string) => RouteMatch<Name> {
  const compiled = (Object.entries(routes) as [Name, ApiRoute][]).map(([name, route]) =>
    compile(name, route),
  );
  return (method, path) => {
    const segments = path.split('/').slice(1);
    const allowedMethods: string[] = [];
    for (const route of compiled) {
      const params = matchPath(route.segments, segments);
      if (params === undefined) continue;
      if (route.method === method.toUpperCase())
        return { kind: 'matched', name: route.name, params };
      allowedMethods.push(route.method);
    }
    return allowedMethods.length > 0
      ? { kind: 'method_not_allowed', allowedMethods }
      : { kind: 'not_found' };
  };
}
