import { useCallback, useEffect, useState } from 'react';
import { errorMessage } from '../lib/api-client.ts';
import type { Resource } from './use-read-on-mount.ts';

/**
 * Runs `read` each time it changes (callers memoise it on what it reads) and exposes its state;
 * null waits for something to read. An answer that arrives after `read` changed is dropped, so
 * a slow earlier read never overwrites a later one. `retry` runs the same read again.
 */
export function useLatestRead<T>(read: (() => Promise<T>) | null) {
  const [resource, setResource] = useState<Resource<T>>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: attempt re-runs the read on retry.
  useEffect(() => {
    if (read === null) return;
    let current = true;
    setResource({ state: 'loading' });
    read().then(
      (value) => current && setResource({ state: 'ready', value }),
      (error: unknown) => current && setResource({ state: 'error', message: errorMessage(error) }),
    );
    return () => {
      current = false;
    };
  }, [read, attempt]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  return { resource, retry };
}
