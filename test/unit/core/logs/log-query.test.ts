import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '#core/errors.ts';
import {
  parseStatusFilter,
  recordMatches,
  resolveWindow,
  toLogFilter,
} from '#core/logs/log-query.ts';

const NOW_MS = Date.parse('2026-11-24T12:00:00.000Z');

describe('resolveWindow', () => {
  it.each([
    ['24h', '2026-11-23T12:00:00.001Z'],
    ['7d', '2026-11-17T12:00:00.001Z'],
    ['30d', '2026-10-25T12:00:00.001Z'],
    ['90d', '2026-08-26T12:00:00.001Z'],
  ] as const)('%s ends now (inclusive) and starts %s', (range, fromIso) => {
    expect(resolveWindow({ range }, NOW_MS)).toEqual({
      range,
      fromIso,
      toIso: '2026-11-24T12:00:00.001Z',
    });
  });

  it('normalises custom instants to UTC ISO', () => {
    expect(
      resolveWindow(
        { range: 'custom', from: '2026-11-01T01:00:00+01:00', to: '2026-11-02T00:00:00Z' },
        NOW_MS,
      ),
    ).toEqual({
      range: 'custom',
      fromIso: '2026-11-01T00:00:00.000Z',
      toIso: '2026-11-02T00:00:00.000Z',
    });
  });

  it.each([
    [{ range: 'custom' }, /both/],
    [{ range: 'custom', from: '2026-11-02T00:00:00Z', to: '2026-11-01T00:00:00Z' }, /before/],
    [{ range: 'custom', from: '2025-01-01T00:00:00Z', to: '2026-11-01T00:00:00Z' }, /366 days/],
    [{ range: '24h', from: '2026-11-01T00:00:00Z' }, /range=custom/],
  ] as const)('rejects %j', (input, message) => {
    expect(() => resolveWindow(input, NOW_MS)).toThrow(InvalidRequestError);
    expect(() => resolveWindow(input, NOW_MS)).toThrow(message);
  });
});

describe('filters', () => {
  it('parses exact codes and classes', () => {
    expect(parseStatusFilter('429')).toEqual({ kind: 'exact', status: 429 });
    expect(parseStatusFilter('4xx')).toEqual({ kind: 'range', min: 400, max: 499 });
    for (const bad of ['4x', '600', '42', 'xx', '2XX']) {
      expect(() => parseStatusFilter(bad)).toThrow(InvalidRequestError);
    }
  });

  it('maps "-" to "no requester"; an empty or absent list does not filter', () => {
    const filter = toLogFilter({
      range: '24h',
      requester: ['-', 'ci'],
      model: [],
      status: ['5xx'],
    });
    expect(filter).toEqual({
      models: [],
      providers: [],
      requesters: [null, 'ci'],
      statuses: [{ kind: 'range', min: 500, max: 599 }],
      kinds: [],
      tags: {},
    });
    const record = { model: 'm', provider: 'openai', status: 503, requester: 'ci' } as const;
    expect(recordMatches(filter, record)).toBe(true);
  });

  it('matches with OR within a filter and AND across filters', () => {
    const filter = toLogFilter({
      range: '24h',
      provider: ['openai', 'mistral'],
      status: ['404', '5xx'],
      requester: ['-'],
    });
    const base = { model: 'm', provider: 'openai', status: 503 } as const;
    expect(recordMatches(filter, base)).toBe(true);
    expect(recordMatches(filter, { ...base, provider: 'mistral', status: 404 })).toBe(true);
    expect(recordMatches(filter, { ...base, status: 200 })).toBe(false);
    expect(recordMatches(filter, { ...base, provider: 'anthropic' })).toBe(false);
    expect(recordMatches(filter, { ...base, requester: 'ci' })).toBe(false);
    expect(recordMatches({}, { ...base, requester: 'ci' })).toBe(true);
  });

  it('filters by kind; chat also matches a record or item written without one', () => {
    const base = { model: 'm', provider: 'openai', status: 200 } as const;
    const chat = toLogFilter({ range: '24h', kind: ['chat'] });
    expect(chat.kinds).toEqual(['chat']);
    expect(recordMatches(chat, base)).toBe(true);
    expect(recordMatches(chat, { ...base, kind: 'chat' })).toBe(true);
    expect(recordMatches(chat, { ...base, kind: 'embeddings' })).toBe(false);
    const other = toLogFilter({ range: '24h', kind: ['responses', 'embeddings'] });
    expect(recordMatches(other, base)).toBe(false);
    expect(recordMatches(other, { ...base, kind: 'embeddings' })).toBe(true);
    const none = toLogFilter({ range: '24h', kind: [] });
    expect(recordMatches(none, { ...base, kind: 'embeddings' })).toBe(true);
  });

  it('groups tag filters by key: values of one key OR, keys AND; the value may hold ":"', () => {
    const filter = toLogFilter({
      range: '24h',
      tag: ['feature:search', 'feature:a:b', 'team:core', 'feature:search'],
    });
    expect(filter.tags).toEqual({ feature: ['search', 'a:b'], team: ['core'] });
    const base = { model: 'm', provider: 'openai', status: 200 } as const;
    expect(recordMatches(filter, { ...base, tags: { feature: 'a:b', team: 'core' } })).toBe(true);
    expect(recordMatches(filter, { ...base, tags: { feature: 'search' } })).toBe(false);
    expect(recordMatches(filter, base)).toBe(false);
    expect(() => toLogFilter({ range: '24h', tag: ['no-separator'] })).toThrow(
      /not a <key>:<value>/,
    );
  });
});
