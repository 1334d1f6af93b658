import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_FILTERS,
  filterFull,
  filterQuery,
  filtersComplete,
  readFilters,
  type SharedFilters,
  storeFilters,
  toggleFilter,
  withoutFilters,
} from '../../../frontend/src/lib/filters.ts';

/** `count` distinct model names: `m1`, `m2`, … */
function models(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `m${index + 1}`);
}

describe('readFilters', () => {
  it('reads the range and each repeated filter, dropping empty and repeated values', () => {
    // Arrange
    const search = new URLSearchParams(
      'range=7d&model=gpt-4o&model=claude&model=gpt-4o&model=&provider=openai&status=5xx&status=429',
    );

    // Act
    const filters = readFilters(search);

    // Assert
    expect(filters).toEqual({
      range: '7d',
      from: '',
      to: '',
      model: ['gpt-4o', 'claude'],
      provider: ['openai'],
      requester: [],
      status: ['5xx', '429'],
      kind: [],
      tag: [],
    });
  });

  it('reads tags as key:value, dropping malformed ones the API would refuse', () => {
    const filters = readFilters(
      new URLSearchParams(
        'tag=feature:search&tag=feature:a:b&tag=Feature:x&tag=nokey&tag=feature:search',
      ),
    );

    expect(filters.tag).toEqual(['feature:search', 'feature:a:b']);
    expect(filterQuery(filters)).toMatchObject({ tag: ['feature:search', 'feature:a:b'] });
  });

  it('reads the kinds, dropping values that name no kind', () => {
    const filters = readFilters(new URLSearchParams('kind=embeddings&kind=images&kind=chat'));

    expect(filters.kind).toEqual(['embeddings', 'chat']);
  });

  it('keeps from and to of a custom range', () => {
    const filters = readFilters(
      new URLSearchParams('range=custom&from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z'),
    );

    expect(filters.range).toBe('custom');
    expect(filters.from).toBe('2026-11-01T00:00:00Z');
    expect(filters.to).toBe('2026-11-02T00:00:00Z');
  });

  it.each(['', 'range=1y', 'range=24H'])('falls back to 24h for "%s"', (query) => {
    expect(readFilters(new URLSearchParams(query)).range).toBe('24h');
  });

  it('keeps only the first 20 values of a filter, as many as the API accepts', () => {
    const search = new URLSearchParams(models(25).map((name) => ['model', name]));

    const filters = readFilters(search);

    expect(filters.model).toEqual(models(20));
  });
});

describe('filterQuery', () => {
  it('sends non-empty filters as lists and leaves out from/to outside a custom range', () => {
    const filters: SharedFilters = {
      ...DEFAULT_FILTERS,
      range: '7d',
      from: '2026-11-01T00:00:00Z',
      to: '2026-11-02T00:00:00Z',
      model: ['gpt-4o', 'claude'],
      requester: ['-'],
      kind: ['responses'],
    };

    expect(filterQuery(filters)).toEqual({
      range: '7d',
      model: ['gpt-4o', 'claude'],
      requester: ['-'],
      kind: ['responses'],
    });
  });

  it('sends from and to with a custom range', () => {
    const filters: SharedFilters = {
      ...DEFAULT_FILTERS,
      range: 'custom',
      from: '2026-11-01T00:00:00Z',
      to: '2026-11-02T00:00:00Z',
      status: ['4xx'],
    };

    expect(filterQuery(filters)).toEqual({
      range: 'custom',
      from: '2026-11-01T00:00:00Z',
      to: '2026-11-02T00:00:00Z',
      status: ['4xx'],
    });
  });

  it('sends only the range when nothing is filtered', () => {
    expect(filterQuery(DEFAULT_FILTERS)).toEqual({ range: '24h' });
  });
});

describe('toggleFilter', () => {
  const start: SharedFilters = { ...DEFAULT_FILTERS, model: ['a'], provider: ['openai'] };

  it('appends a value the filter does not hold, leaving the other filters alone', () => {
    const next = toggleFilter(start, 'model', 'b');

    expect(next.model).toEqual(['a', 'b']);
    expect(next.provider).toEqual(['openai']);
    expect(start.model).toEqual(['a']);
  });

  it('removes a value the filter holds', () => {
    expect(toggleFilter(start, 'model', 'a').model).toEqual([]);
  });

  it('refuses a 21st value but still lets a value of a full filter be removed', () => {
    const full: SharedFilters = { ...DEFAULT_FILTERS, model: models(20) };

    expect(toggleFilter(full, 'model', 'm21').model).toEqual(models(20));
    expect(toggleFilter(full, 'model', 'm20').model).toEqual(models(19));
  });
});

describe('withoutFilters', () => {
  it('empties every filter and keeps the range', () => {
    const filters = {
      ...DEFAULT_FILTERS,
      range: 'custom' as const,
      from: '2026-11-01T00:00:00Z',
      to: '2026-11-02T00:00:00Z',
      model: ['gpt-4o'],
      provider: ['openai', 'mistral'],
      requester: ['-'],
      status: ['4xx'],
      kind: ['embeddings'],
      tag: ['feature:search'],
    };

    expect(withoutFilters(filters)).toEqual({
      range: 'custom',
      from: '2026-11-01T00:00:00Z',
      to: '2026-11-02T00:00:00Z',
      model: [],
      provider: [],
      requester: [],
      status: [],
      kind: [],
      tag: [],
    });
  });
});

describe('filterFull', () => {
  it.each([
    [0, false],
    [19, false],
    [20, true],
  ])('with %i values is %s', (count, expected) => {
    expect(filterFull(models(count))).toBe(expected);
  });
});

describe('storeFilters', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  function stubAddressBar() {
    const replaceState = vi.fn();
    vi.stubGlobal('history', { replaceState });
    vi.stubGlobal('location', { pathname: '/logs/', hash: '#row-7' });
    return replaceState;
  }

  it('writes the filters as repeated parameters and keeps path and hash', () => {
    const replaceState = stubAddressBar();

    storeFilters({ ...DEFAULT_FILTERS, range: '7d', model: ['gpt 4o', 'claude'] });

    expect(replaceState).toHaveBeenCalledWith(
      null,
      '',
      '/logs/?range=7d&model=gpt+4o&model=claude#row-7',
    );
  });

  it('leaves the default 24h range out of the address', () => {
    const replaceState = stubAddressBar();

    storeFilters({ ...DEFAULT_FILTERS, status: ['5xx'] });

    expect(replaceState).toHaveBeenCalledWith(null, '', '/logs/?status=5xx#row-7');
  });

  it('writes the kind filter, so a reload reads it back', () => {
    const replaceState = stubAddressBar();
    const filters = { ...DEFAULT_FILTERS, kind: ['responses', 'embeddings'] };

    storeFilters(filters);

    expect(replaceState).toHaveBeenCalledWith(
      null,
      '',
      '/logs/?kind=responses&kind=embeddings#row-7',
    );
    expect(readFilters(new URLSearchParams('kind=responses&kind=embeddings'))).toEqual(filters);
  });
});

describe('filtersComplete', () => {
  it.each([
    ['a named range', { range: '7d' }, true],
    ['a custom range with both ends', { range: 'custom', from: 'a', to: 'b' }, true],
    ['a custom range without its end', { range: 'custom', from: 'a' }, false],
    ['a custom range without its start', { range: 'custom', to: 'b' }, false],
  ] as const)('answers %s with %s', (_case, given, expected) => {
    expect(filtersComplete({ ...DEFAULT_FILTERS, ...given })).toBe(expected);
  });
});
