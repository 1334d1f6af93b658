import type { Scope } from '#contracts/scope.ts';
import { providerName } from './providers.ts';

/** What alert rules and budgets can be scoped to, as the pages name it. */

export type ScopeKind = Scope['kind'];

export const SCOPE_KIND_LABELS: Readonly<Record<ScopeKind, string>> = {
  account: 'All requests',
  provider: 'Provider',
  model: 'Model',
  requester: 'Requester',
  tag: 'Tag',
};

/** The text a scope's value is typed as: a provider id, a model, a requester, `key:value`. */
export function scopeValueText(scope: Scope): string {
  switch (scope.kind) {
    case 'account':
      return '';
    case 'provider':
      return scope.provider;
    case 'model':
      return scope.model;
    case 'requester':
      return scope.requester;
    case 'tag':
      return `${scope.key}:${scope.value}`;
  }
}

/** `All requests`, `Provider OpenAI`, `Model gpt-4o`, `Tag feature:search`. */
export function scopeText(scope: Scope): string {
  switch (scope.kind) {
    case 'account':
      return SCOPE_KIND_LABELS.account;
    case 'provider':
      return `${SCOPE_KIND_LABELS.provider} ${providerName(scope.provider)}`;
    default:
      return `${SCOPE_KIND_LABELS[scope.kind]} ${scopeValueText(scope)}`;
  }
}
