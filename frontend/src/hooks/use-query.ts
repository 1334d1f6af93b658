import { useEffect, useState } from 'react';

/**
 * The page's query string, read after hydration (the static build renders without one, so
 * reading `location` during render would make the hydrated markup differ).
 */
export function useQuery(): URLSearchParams {
  const [query, setQuery] = useState(() => new URLSearchParams());
  useEffect(() => setQuery(new URLSearchParams(location.search)), []);
  return query;
}
