import { useEffect, useState } from 'react';
import { api, errorMessage } from '../lib/api-client.ts';
import { formatDateTime } from '../lib/format.ts';

/** How often the page asks whether the first proxied request arrived. */
const POLL_INTERVAL_MS = 2000;
const MAX_BACKOFF_MS = 30_000;

/**
 * Polls the integration status until the account's first proxied request is recorded, then
 * confirms it. Polling pauses while the tab is hidden and backs off after errors.
 */
export function FirstRequestStatus() {
  const [firstRequestAt, setFirstRequestAt] = useState<string | null>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let delayMs = POLL_INTERVAL_MS;

    const poll = async () => {
      if (document.hidden) return schedule();
      try {
        const status = await api.getIntegrationStatus();
        if (stopped) return;
        setError(undefined);
        setFirstRequestAt(status.firstRequestAt);
        delayMs = POLL_INTERVAL_MS;
        if (status.firstRequestAt) return;
      } catch (caught) {
        if (stopped) return;
        setError(errorMessage(caught));
        delayMs = Math.min(delayMs * 2, MAX_BACKOFF_MS);
      }
      schedule();
    };
    const schedule = () => {
      if (!stopped) timer = setTimeout(() => void poll(), delayMs);
    };

    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);

  if (firstRequestAt) {
    return (
      <div className="status" role="status" data-first-request="received">
        <span className="status__dot status__dot--done" aria-hidden="true" />
        <div>
          <strong>First request received.</strong> Metrion tracked it at{' '}
          {formatDateTime(firstRequestAt)}. Every request through the proxy is now recorded with its
          tokens, cost and latency.
        </div>
      </div>
    );
  }
  return (
    <div>
      <div className="status" role="status" data-first-request="waiting">
        <span className="status__dot status__dot--waiting" aria-hidden="true" />
        <div>
          {firstRequestAt === undefined
            ? 'Checking for requests…'
            : 'Waiting for your first request. Run the sample above; this updates within seconds.'}
        </div>
      </div>
      {error && (
        <p className="card__hint" role="alert">
          Could not check the status: {error} Retrying…
        </p>
      )}
    </div>
  );
}
