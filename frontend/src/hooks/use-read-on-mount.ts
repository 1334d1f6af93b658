import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../lib/api-client.ts';

/** Loading state of one API read. */
export type Resource<T> =
  | { readonly state: 'loading' }
  | { readonly state: 'error'; readonly message: string }
  | { readonly state: 'ready'; readonly value: T };

/**
 * Runs `load` once on mount and exposes its state; `setValue` replaces the value after a write
 * the page made itself, `reload` reads it again.
 */
export function useReadOnMount<T>(load: () => Promise<T>) {
  const [resource, setResource] = useState<Resource<T>>({ state: 'loading' });
  const latestLoad = useRef(load);
  latestLoad.current = load;

  const reload = useCallback(() => {
    setResource({ state: 'loading' });
    latestLoad.current().then(
      (value) => setResource({ state: 'ready', value }),
      (error: unknown) => setResource({ state: 'error', message: errorMessage(error) }),
    );
  }, []);

  useEffect(reload, [reload]);

  const setValue = useCallback((value: T) => setResource({ state: 'ready', value }), []);
  return { resource, reload, setValue };
}
