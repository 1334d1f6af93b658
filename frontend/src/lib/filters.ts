import {
  DASHBOARD_RANGES,
  type DashboardRange,
} from '../../../functions/contracts/dashboard-api.ts';
import type { QueryParams } from './api-client.ts';

/**
 * The range and filters the Dashboard and Logs share. They live in the page's query string
 * (`?range=7d&model=gpt-4o-mini`), so switching between the two pages keeps them.
 */
export interface SharedFilters {
  readonly range: DashboardRange;
  /** Only with `range=custom`: ISO instants. */
  readonly from: string;
  readonly to: string;
  readonly model: string;
  readonly provider: string;
  readonly requester: string;
  readonly status: string;
}

export const FILTER_NAMES = ['model', 'provider', 'requester', 'status'] as const;
export type FilterName = (typeof FILTER_NAMES)[number];

export const DEFAULT_FILTERS: SharedFilters = {
  range: '24h',
  from: '',
  to: '',
  model: '',
  provider: '',
  requester: '',
  status: '',
};

/** The shared filters from a query string (unknown values fall back to the defaults). */
export function readFilters(search: URLSearchParams): SharedFilters {
  const range = search.get('range') ?? '';
  const isRange = (value: string): value is DashboardRange =>
    (DASHBOARD_RANGES as readonly string[]).includes(value);
  return {
    range: isRange(range) ? range : '24h',
    from: search.get('from') ?? '',
    to: search.get('to') ?? '',
    model: search.get('model') ?? '',
    provider: search.get('provider') ?? '',
    requester: search.get('requester') ?? '',
    status: search.get('status') ?? '',
  };
}

/** The API query for the filters (empty filters left out; from/to only for custom ranges). */
export function filterQuery(filters: SharedFilters): QueryParams {
  const query: Record<string, string> = { range: filters.range };
  if (filters.range === 'custom') {
    query.from = filters.from;
    query.to = filters.to;
  }
  for (const name of FILTER_NAMES) {
    if (filters[name] !== '') query[name] = filters[name];
  }
  return query;
}

/** Writes the filters into the address bar (no reload) so links and reloads keep them. */
export function storeFilters(filters: SharedFilters): void {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(filterQuery(filters))) {
    search.set(name, typeof value === 'string' ? value : (value[0] ?? ''));
  }
  if (filters.range === '24h') search.delete('range');
  const text = search.toString();
  history.replaceState(null, '', `${location.pathname}${text === '' ? '' : `?${text}`}`);
}

/** `YYYY-MM-DDTHH:mm` (datetime-local, UTC) from an ISO instant, and back. */
export function toLocalInput(iso: string): string {
  return iso === '' ? '' : iso.slice(0, 16);
}
export function fromLocalInput(value: string): string {
  return value === '' ? '' : `${value}:00Z`;
}
