import type { TimeRange } from '#contracts/usage-query.ts';
import { useReadOnMount } from '../hooks/use-read-on-mount.ts';
import { api } from '../lib/api-client.ts';
import { filtersActive, type SharedFilters, withoutFilters } from '../lib/filters.ts';

/** How the empty range is named in a sentence. */
const RANGE_PHRASES: Readonly<Record<TimeRange, string>> = {
  '24h': 'the last 24 hours',
  '7d': 'the last 7 days',
  '30d': 'the last 30 days',
  '90d': 'the last 90 days',
  custom: 'this custom range',
};

/** A range to offer when the chosen one is empty: the next longer one, if any. */
const LONGER_RANGE: Partial<Record<TimeRange, { range: TimeRange; label: string }>> = {
  '24h': { range: '7d', label: 'Show 7 days' },
  '7d': { range: '30d', label: 'Show 30 days' },
  '30d': { range: '90d', label: 'Show 90 days' },
};

interface NoRequestsProps {
  /** What is missing from the range: any request, or only errors (the Errors tab). */
  readonly what: 'requests' | 'errors';
  readonly filters: SharedFilters;
  readonly onChange: (filters: SharedFilters) => void;
}

/**
 * The one empty state of the Dashboard and Logs. An account that never sent a request gets a
 * single "Send your first request" card leading to Integrate, instead of empty charts; an account
 * with traffic elsewhere is told what is empty and offered a wider view.
 */
export function NoRequests({ what, filters, onChange }: NoRequestsProps) {
  const { resource } = useReadOnMount(() => api.getIntegrationStatus());
  if (resource.state === 'loading') return null;
  if (resource.state === 'ready' && resource.value.firstRequestAt === null) {
    return <FirstRequestCard />;
  }
  const filtered = filtersActive(filters);
  const longer = LONGER_RANGE[filters.range];
  const where = `${RANGE_PHRASES[filters.range]}${filtered ? ' with these filters' : ''}`;
  return (
    <section className="card empty-state" data-empty aria-labelledby="empty-state-title">
      <h2 id="empty-state-title">
        {what === 'errors' ? 'No errors in this range' : 'No requests in this range'}
      </h2>
      <p className="muted">
        {what === 'errors'
          ? `No request in ${where} returned an error.`
          : `Nothing was proxied in ${where}.`}
      </p>
      <div className="button-row">
        {filtered && (
          <button
            type="button"
            className="button button--secondary"
            onClick={() => onChange(withoutFilters(filters))}
          >
            Clear filters
          </button>
        )}
        {longer && (
          <button
            type="button"
            className="button button--secondary"
            onClick={() => onChange({ ...filters, range: longer.range })}
          >
            {longer.label}
          </button>
        )}
      </div>
    </section>
  );
}

/** The Dashboard of an account without a single request: one card and the way to Integrate. */
function FirstRequestCard() {
  return (
    <section
      className="card empty-state empty-state--first"
      data-testid="first-request-card"
      aria-labelledby="first-request-title"
    >
      <h2 id="first-request-title">Send your first request</h2>
      <p>
        Requests, cost, tokens, latency and errors appear here as soon as your first request goes
        through Metrion. Change two values in the SDK you already use, the base URL and the API key,
        and send one request.
      </p>
      <a className="button" href="/integrate">
        Go to Integrate
      </a>
    </section>
  );
}
