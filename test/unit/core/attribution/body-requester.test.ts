import { describe, expect, it } from 'vitest';
import { requesterFromBody } from '#core/attribution/body-requester.ts';

describe('requesterFromBody', () => {
  it('reads OpenAI safety_identifier before user, on chat and the Responses API', () => {
    expect(requesterFromBody({ user: 'u-1' }, 'openai', 'chat')).toBe('u-1');
    expect(requesterFromBody({ safety_identifier: 's-1' }, 'openai', 'responses')).toBe('s-1');
    expect(requesterFromBody({ user: 'u-1', safety_identifier: 's-1' }, 'openai', 'chat')).toBe(
      's-1',
    );
  });

  it('reads Anthropic metadata.user_id, not a top-level user', () => {
    expect(requesterFromBody({ metadata: { user_id: ' a-9 ' } }, 'anthropic', 'chat')).toBe('a-9');
    expect(requesterFromBody({ user: 'u-1' }, 'anthropic', 'chat')).toBeUndefined();
    expect(requesterFromBody({ metadata: ['user_id'] }, 'anthropic', 'chat')).toBeUndefined();
  });

  it('ignores embeddings: requesters come from chat and Responses bodies only', () => {
    expect(requesterFromBody({ user: 'u-1' }, 'openai', 'embeddings')).toBeUndefined();
  });

  it.each([
    ['not a string', { user: 42 }],
    ['blank', { user: '   ' }],
    ['too long', { user: 'u'.repeat(129) }],
    ['not printable ASCII', { user: 'caf\u00e9' }],
    ['the reserved "-"', { user: '-' }],
  ])('ignores a value that is %s (never a 400: the provider accepts it)', (_name, json) => {
    expect(requesterFromBody(json, 'openai', 'chat')).toBeUndefined();
  });

  it('falls back to user when safety_identifier is unusable', () => {
    expect(requesterFromBody({ safety_identifier: '-', user: 'u-2' }, 'openai', 'chat')).toBe(
      'u-2',
    );
  });
});
