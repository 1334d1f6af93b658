import { useCallback, useState } from 'react';
import { errorMessage } from '../lib/api-client.ts';

/**
 * One form action at a time: `busy` while it runs, its failure as `error` (a message for people,
 * cleared when the next action starts). An action that never settles (see {@link leavePage})
 * keeps the form busy until the page goes.
 */
export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const run = useCallback((action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    action()
      .catch((caught: unknown) => setError(errorMessage(caught)))
      .finally(() => setBusy(false));
  }, []);

  return { busy, error, run };
}

/** Opens `url` and never settles, so the submitting form stays busy while the browser leaves. */
export function leavePage(url: string): Promise<never> {
  location.assign(url);
  return new Promise<never>(() => {});
}
