import { describe, expect, it } from 'vitest';
import { safeNextPath } from '../../../frontend/src/lib/auth.ts';

describe('safeNextPath', () => {
  it('returns same-origin paths with their query', () => {
    expect(safeNextPath('/settings/token')).toBe('/settings/token');
    expect(safeNextPath('/integrate?x=1')).toBe('/integrate?x=1');
  });

  it.each([
    null,
    '',
    'https://evil.example/',
    '//evil.example/path',
    '/\\evil.example',
    'javascript:alert(1)',
  ])('falls back to Integrate for %j', (next) => {
    expect(safeNextPath(next)).toBe('/integrate');
  });
});
