import { useEffect, useState } from 'react';

/**
 * False in the static HTML and until React has hydrated the island. Forms stay disabled until
 * then, so an early click cannot fall back to a native form submission.
 */
export function useHydrated(): boolean {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}
