import { useCallback, useEffect, useState } from 'react';
import { readFilters, type SharedFilters, storeFilters } from '../lib/filters.ts';

/**
 * The range and filters the Dashboard and Logs share: null until hydrated (then read from the
 * query string); `change` also writes the next ones into the query string.
 */
export function useSharedFilters() {
  const [filters, setFilters] = useState<SharedFilters | null>(null);
  useEffect(() => setFilters(readFilters(new URLSearchParams(location.search))), []);
  const change = useCallback((next: SharedFilters) => {
    storeFilters(next);
    setFilters(next);
  }, []);
  return { filters, change };
}
