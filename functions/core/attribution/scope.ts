import type { ProviderId } from '../providers/provider-registry.ts';
import type { Tags } from './tags.ts';

/**
 * What part of an account's traffic a budget or an alert rule looks at: all of it, or the
 * requests of one provider, one model, one requester or one tag value. Budgets and alert rules
 * share this one definition (and its matcher), so a scope means the same thing everywhere.
 */
export type Scope =
  | { readonly kind: 'account' }
  | { readonly kind: 'provider'; readonly provider: ProviderId }
  | { readonly kind: 'model'; readonly model: string }
  | { readonly kind: 'requester'; readonly requester: string }
  | { readonly kind: 'tag'; readonly key: string; readonly value: string };

export type ScopeKind = Scope['kind'];

export const SCOPE_KINDS = [
  'account',
  'provider',
  'model',
  'requester',
  'tag',
] as const satisfies readonly ScopeKind[];

/** The attributes of one request that a scope can select on. */
export interface ScopedRequest {
  readonly provider: ProviderId;
  readonly model: string;
  readonly requester?: string | undefined;
  readonly tags?: Tags | undefined;
}

/** Whether `request` falls inside `scope`. */
export function scopeMatches(scope: Scope, request: ScopedRequest): boolean {
  switch (scope.kind) {
    case 'account':
      return true;
    case 'provider':
      return request.provider === scope.provider;
    case 'model':
      return request.model === scope.model;
    case 'requester':
      return request.requester === scope.requester;
    case 'tag':
      return request.tags?.[scope.key] === scope.value;
  }
}

/** A short human label: `all requests`, `provider openai`, `tag feature:search`. */
export function describeScope(scope: Scope): string {
  switch (scope.kind) {
    case 'account':
      return 'all requests';
    case 'provider':
      return `provider ${scope.provider}`;
    case 'model':
      return `model ${scope.model}`;
    case 'requester':
      return `requester ${scope.requester}`;
    case 'tag':
      return `tag ${scope.key}:${scope.value}`;
  }
}
