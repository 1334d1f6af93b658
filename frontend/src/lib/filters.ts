import {
  DEFAULT_TIME_RANGE,
  MAX_FILTER_VALUES,
  parseTagPair,
  TIME_RANGES,
  type TimeRange,
  USAGE_KINDS,
} from '#contracts/usage-query.ts';
import { type QueryParams, queryString } from './api-client.ts';

/**
 * The range and filters the Dashboard and Logs share. They live in the page's query string
 * (`?range=7d&model=gpt-4o-mini&model=gpt-4o`), so links, reloads and switching between the two
 * pages keep them. Each filter holds any number of values: the API matches any of one filter's
 * values (OR) and all filters together (AND); an empty list does not filter.
 */
export interface SharedFilters {
  readonly range: TimeRange;
  /** Only with `range=custom`: ISO instants. */
  readonly from: string;
  readonly to: string;
  readonly model: readonly string[];
  readonly provider: readonly string[];
  readonly requester: readonly string[];
  readonly status: readonly string[];
  /** Chat, Responses API or embeddings (`USAGE_KINDS`). */
  readonly kind: readonly string[];
  /** `<key>:<value>` tags (values of one key OR, keys AND; the Dashboard takes one key). */
  readonly tag: readonly string[];
}

/** The filters picked from the values seen in the range (a menu each). */
export const MENU_FILTER_NAMES = ['model', 'provider', 'requester', 'status', 'kind'] as const;
export type MenuFilterName = (typeof MENU_FILTER_NAMES)[number];

/** Every filter: the menus and the tags (typed in, since a key may have any number of values). */
export const FILTER_NAMES = [...MENU_FILTER_NAMES, 'tag'] as const;
export type FilterName = (typeof FILTER_NAMES)[number];

export const DEFAULT_FILTERS: SharedFilters = {
  range: DEFAULT_TIME_RANGE,
  from: '',
  to: '',
  model: [],
  provider: [],
  requester: [],
  status: [],
  kind: [],
  tag: [],
};

/**
 * The non-empty values of a repeated parameter, each once, in the order given; only the first
 * {@link MAX_FILTER_VALUES} (the API refuses more).
 */
function distinctValues(values: readonly string[]): string[] {
  return [...new Set(values.filter((value) => value !== ''))].slice(0, MAX_FILTER_VALUES);
}

/** Whether a filter holds as many values as the API accepts, so no further one can be added. */
export function filterFull(values: readonly string[]): boolean {
  return values.length >= MAX_FILTER_VALUES;
}

/**
 * The shared filters from a query string (unknown ranges fall back to the default; unknown kinds
 * and malformed tags are dropped, as the API would refuse them).
 */
export function readFilters(search: URLSearchParams): SharedFilters {
  const range = search.get('range') ?? '';
  const isRange = (value: string): value is TimeRange =>
    (TIME_RANGES as readonly string[]).includes(value);
  return {
    range: isRange(range) ? range : DEFAULT_TIME_RANGE,
    from: search.get('from') ?? '',
    to: search.get('to') ?? '',
    model: distinctValues(search.getAll('model')),
    provider: distinctValues(search.getAll('provider')),
    requester: distinctValues(search.getAll('requester')),
    status: distinctValues(search.getAll('status')),
    kind: distinctValues(search.getAll('kind')).filter((value) =>
      (USAGE_KINDS as readonly string[]).includes(value),
    ),
    tag: distinctValues(search.getAll('tag').filter((value) => parseTagPair(value) !== undefined)),
  };
}

/**
 * The API query for the filters: each filter as a repeated parameter (empty ones left out),
 * from/to only for custom ranges.
 */
export function filterQuery(filters: SharedFilters): QueryParams {
  const query: Record<string, string | readonly string[]> = { range: filters.range };
  if (filters.range === 'custom') {
    query.from = filters.from;
    query.to = filters.to;
  }
  for (const name of FILTER_NAMES) {
    if (filters[name].length > 0) query[name] = filters[name];
  }
  return query;
}

/**
 * The filters with `value` added to or removed from filter `name`; unchanged when adding to a
 * full filter ({@link filterFull}).
 */
export function toggleFilter(
  filters: SharedFilters,
  name: FilterName,
  value: string,
): SharedFilters {
  const values = filters[name];
  if (!values.includes(value) && filterFull(values)) return filters;
  return {
    ...filters,
    [name]: values.includes(value) ? values.filter((item) => item !== value) : [...values, value],
  };
}

/** Whether any filter holds a value (the range alone does not count). */
export function filtersActive(filters: SharedFilters): boolean {
  return FILTER_NAMES.some((name) => filters[name].length > 0);
}

/** The same range with every filter emptied. */
export function withoutFilters(filters: SharedFilters): SharedFilters {
  return { ...filters, ...Object.fromEntries(FILTER_NAMES.map((name) => [name, []])) };
}

/** Whether the filters can be read: a custom range needs both ends first. */
export function filtersComplete(filters: SharedFilters): boolean {
  return filters.range !== 'custom' || (filters.from !== '' && filters.to !== '');
}

/** Writes the filters into the address bar (no reload) so links and reloads keep them. */
export function storeFilters(filters: SharedFilters): void {
  const query = filterQuery(filters);
  const text = queryString(filters.range === DEFAULT_TIME_RANGE ? { ...query, range: '' } : query);
  history.replaceState(null, '', `${location.pathname}${text}${location.hash}`);
}

/** `YYYY-MM-DDTHH:mm` (datetime-local, UTC) from an ISO instant, and back. */
export function toLocalInput(iso: string): string {
  return iso === '' ? '' : iso.slice(0, 16);
}
export function fromLocalInput(value: string): string {
  return value === '' ? '' : `${value}:00Z`;
}
