import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '#core/errors.ts';
import { decodeLogCursor, deriveLogCursorKey, encodeLogCursor } from '#core/logs/log-cursor.ts';

const KEY = deriveLogCursorKey(new TextEncoder().encode('pepper'));
const CURSOR = {
  accountId: 'alice',
  queryDigest: 'q1',
  fromIso: '2026-11-23T12:00:00.000Z',
  toIso: '2026-11-24T12:00:00.001Z',
  position: '2026-11-24T10:00:00.000Z#req-1',
  totalCount: 123,
};
const EXPECTED = { accountId: 'alice', queryDigest: 'q1' };

describe('log cursors', () => {
  it('round-trips for the account and query it was issued to', () => {
    expect(decodeLogCursor(encodeLogCursor(CURSOR, KEY), KEY, EXPECTED)).toEqual(CURSOR);
  });

  it.each([
    ['another account', { accountId: 'bob', queryDigest: 'q1' }],
    ['another query', { accountId: 'alice', queryDigest: 'q2' }],
  ])('is refused for %s', (_label, expected) => {
    expect(() => decodeLogCursor(encodeLogCursor(CURSOR, KEY), KEY, expected)).toThrow(
      InvalidRequestError,
    );
  });

  it('is refused when signed with another key', () => {
    const otherKey = deriveLogCursorKey(new TextEncoder().encode('other pepper'));
    expect(() => decodeLogCursor(encodeLogCursor(CURSOR, otherKey), KEY, EXPECTED)).toThrow(
      InvalidRequestError,
    );
  });

  it('is refused when the payload is edited (e.g. the account id swapped)', () => {
    const [, signature] = encodeLogCursor(CURSOR, KEY).split('.');
    const forged = Buffer.from(
      JSON.stringify({ v: 1, a: 'bob', q: 'q1', f: CURSOR.fromIso, t: CURSOR.toIso, p: 'x', n: 1 }),
    ).toString('base64url');
    expect(() =>
      decodeLogCursor(`${forged}.${signature}`, KEY, { accountId: 'bob', queryDigest: 'q1' }),
    ).toThrow(InvalidRequestError);
  });

  it.each(['', 'abc', 'a.b.c', '.', 'x.', `${'A'.repeat(10)}.${'B'.repeat(43)}`])(
    'is refused when malformed: %j',
    (token) => {
      expect(() => decodeLogCursor(token, KEY, EXPECTED)).toThrow(InvalidRequestError);
    },
  );

  it('reveals nothing about the account in its error message', () => {
    const error = (() => {
      try {
        decodeLogCursor(encodeLogCursor(CURSOR, KEY), KEY, { accountId: 'bob', queryDigest: 'q1' });
      } catch (caught) {
        return caught as Error;
      }
      return undefined;
    })();
    expect(error?.message).not.toContain('alice');
  });
});
