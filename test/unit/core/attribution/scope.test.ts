import { describe, expect, it } from 'vitest';
import { scopeSchema } from '#contracts/scope.ts';
import { describeScope, type Scope, scopeMatches } from '#core/attribution/scope.ts';

const request = {
  provider: 'openai',
  model: 'gpt-4o-mini',
  requester: 'agent-7',
  tags: { feature: 'search', team: 'core' },
} as const;

describe('scopeMatches', () => {
  it.each<[Scope, boolean]>([
    [{ kind: 'account' }, true],
    [{ kind: 'provider', provider: 'openai' }, true],
    [{ kind: 'provider', provider: 'anthropic' }, false],
    [{ kind: 'model', model: 'gpt-4o-mini' }, true],
    [{ kind: 'model', model: 'gpt-4o' }, false],
    [{ kind: 'requester', requester: 'agent-7' }, true],
    [{ kind: 'requester', requester: 'agent-8' }, false],
    [{ kind: 'tag', key: 'feature', value: 'search' }, true],
    [{ kind: 'tag', key: 'feature', value: 'chat' }, false],
    [{ kind: 'tag', key: 'customer', value: 'search' }, false],
  ])('%j matches: %s', (scope, expected) => {
    expect(scopeMatches(scope, request)).toBe(expected);
  });

  it('never matches a requester or tag scope on a request without one', () => {
    const bare = { provider: 'openai', model: 'gpt-4o-mini' } as const;
    expect(scopeMatches({ kind: 'requester', requester: 'agent-7' }, bare)).toBe(false);
    expect(scopeMatches({ kind: 'tag', key: 'feature', value: 'search' }, bare)).toBe(false);
  });
});

describe('scopeSchema', () => {
  it('accepts each kind and describes it', () => {
    const tag = scopeSchema.parse({ kind: 'tag', key: 'feature', value: 'search' });
    expect(describeScope(tag)).toBe('tag feature:search');
    expect(describeScope(scopeSchema.parse({ kind: 'account' }))).toBe('all requests');
  });

  it.each([
    { kind: 'tag', key: 'Feature', value: 'x' },
    { kind: 'tag', key: 'feature', value: '' },
    { kind: 'tag', key: 'feature', value: 'x'.repeat(65) },
    { kind: 'provider', provider: 'azure' },
    { kind: 'model', model: '' },
    { kind: 'team' },
  ])('refuses %j', (scope) => {
    expect(scopeSchema.safeParse(scope).success).toBe(false);
  });
});
