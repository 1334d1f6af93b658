import { describe, expect, it } from 'vitest';
import { sideCallQueryString } from '#core/proxy/side-call-query.ts';

describe('sideCallQueryString', () => {
  it('is empty without parameters', () => {
    expect(sideCallQueryString(undefined)).toBe('');
    expect(sideCallQueryString([])).toBe('');
  });

  it('keeps the parameters in order, repeated ones once per value, percent-encoded', () => {
    expect(
      sideCallQueryString([
        ['limit', '20'],
        ['after_id', 'model a&b=c'],
        ['tag', 'x'],
        ['tag', 'ü'],
      ]),
    ).toBe('?limit=20&after_id=model%20a%26b%3Dc&tag=x&tag=%C3%BC');
  });

  it('never forwards a credential parameter such as Google’s key= or access_token=', () => {
    expect(
      sideCallQueryString([
        ['key', 'AIza-caller'],
        ['limit', '5'],
        ['API_KEY', 'x'],
        ['api-key', 'y'],
        ['apikey', 'z'],
      ]),
    ).toBe('?limit=5');
    expect(sideCallQueryString([['key', 'AIza-caller']])).toBe('');
    expect(
      sideCallQueryString([
        ['access_token', 'ya29.google-oauth'],
        ['Access-Token', 'a'],
        ['token', 'b'],
        ['Authorization', 'Bearer c'],
        ['page_token', 'next'],
      ]),
    ).toBe('?page_token=next');
    expect(sideCallQueryString([['keys', 'a']])).toBe('?keys=a');
  });
});
