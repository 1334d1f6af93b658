import { describe, expect, it } from 'vitest';
import { parseRequestTags } from '#core/attribution/request-tags.ts';
import { InvalidRequestError } from '#core/errors.ts';

describe('parseRequestTags', () => {
  it('reads every x-metrion-tag-<key> header, trimming values, ignoring other headers', () => {
    expect(
      parseRequestTags({
        'x-metrion-tag-feature': ' search ',
        'x-metrion-tag-customer_id': 'cus_42',
        'x-metrion-tag-run-1': 'a:b c/d',
        'x-metrion-user': 'agent-7',
        'content-type': 'application/json',
      }),
    ).toEqual({ feature: 'search', customer_id: 'cus_42', 'run-1': 'a:b c/d' });
  });

  it('answers undefined for a request without tags', () => {
    expect(parseRequestTags({ 'x-metrion-user': 'agent-7' })).toBeUndefined();
  });

  it('accepts 5 tags, a 32-character key and a 64-character value', () => {
    const headers = Object.fromEntries(
      ['a', 'b', 'c', 'd', 'k'.repeat(32)].map((key) => [`x-metrion-tag-${key}`, 'v'.repeat(64)]),
    );
    expect(Object.keys(parseRequestTags(headers) ?? {})).toHaveLength(5);
  });

  it.each([
    [{ 'x-metrion-tag-': 'x' }, /Header x-metrion-tag-: a tag key is 1 to 32 characters/],
    [{ 'x-metrion-tag-cust.id': 'x' }, /Header x-metrion-tag-cust\.id: a tag key/],
    [{ [`x-metrion-tag-${'k'.repeat(33)}`]: 'x' }, /a tag key is 1 to 32/],
    [{ 'x-metrion-tag-__proto__': 'x' }, /x-metrion-tag-__proto__: "__proto__" is reserved/],
    [{ 'x-metrion-tag-constructor': 'x' }, /"constructor" is reserved/],
    [{ 'x-metrion-tag-feature': '   ' }, /Header x-metrion-tag-feature is empty/],
    [
      { 'x-metrion-tag-feature': 'v'.repeat(65) },
      /is 65 characters long; a tag value has at most 64/,
    ],
    [
      { 'x-metrion-tag-feature': 'caf\u00e9' },
      /x-metrion-tag-feature: a tag value is printable ASCII/,
    ],
    [{ 'x-metrion-tag-feature': 'a\tb' }, /printable ASCII/],
    [
      Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f'].map((k) => [`x-metrion-tag-${k}`, 'x'])),
      /Header x-metrion-tag-f: a request carries at most 5 x-metrion-tag-\* headers/,
    ],
  ])('refuses %j with a 400 that names the header and why', (headers, message) => {
    expect(() => parseRequestTags(headers)).toThrow(InvalidRequestError);
    expect(() => parseRequestTags(headers)).toThrow(message);
  });
});
