import { type ReactNode, useEffect, useMemo, useRef } from 'react';
import type { LogDetail } from '#contracts/logs-api.ts';
import { Loading } from '../../components/LoadFailed.tsx';
import { Notice } from '../../components/Notice.tsx';
import { SeriesName } from '../../components/SeriesName.tsx';
import { TagChips } from '../../components/TagChips.tsx';
import { useLatestRead } from '../../hooks/use-latest-read.ts';
import { api } from '../../lib/api-client.ts';
import { colorForName, providerColor } from '../../lib/colors.ts';
import {
  formatCount,
  formatDateTime,
  formatFxRate,
  formatLatency,
  timingRows,
} from '../../lib/format.ts';
import { KIND_LABELS } from '../../lib/kinds.ts';
import { providerLabel } from '../../lib/providers.ts';
import { Cost, ESTIMATED_EXPLANATION, Status } from './LogCells.tsx';

/**
 * One request's details in a drawer from the right edge, read when `requestId` is set and open
 * while it is. Wide enough that ids, model names and versions never break inside a word; Escape,
 * the close button or a click on the backdrop closes it.
 */
export function LogDetailDrawer({
  requestId,
  onClose,
}: {
  readonly requestId: string | null;
  readonly onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const read = useMemo(
    () => (requestId === null ? null : () => api.getLog(requestId)),
    [requestId],
  );
  const { resource: state } = useLatestRead(read);

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (requestId === null) {
      if (element.open) element.close();
    } else if (!element.open) {
      element.showModal();
    }
  }, [requestId]);

  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the click is on the backdrop, which keyboards never reach; Escape closes the modal natively.
    <dialog
      ref={dialog}
      className="drawer"
      aria-labelledby="log-detail-title"
      onClose={onClose}
      onClick={(event) => {
        // Only the backdrop is the dialog element itself; the drawer's content is its child.
        if (event.target === event.currentTarget) onClose();
      }}
    >
      <div className="drawer__content">
        <header className="drawer__header">
          <h2 id="log-detail-title">Request details</h2>
          <button
            type="button"
            className="button button--secondary button--small"
            onClick={onClose}
          >
            Close
          </button>
        </header>
        {state.state === 'loading' && <Loading what="the request" />}
        {state.state === 'error' && <Notice kind="error">{state.message}</Notice>}
        {state.state === 'ready' && <DetailBody detail={state.value} />}
      </div>
    </dialog>
  );
}

type Rows = readonly (readonly [term: string, value: ReactNode])[];

/** A titled group of term/value rows. */
function Section({ title, rows }: { readonly title: string; readonly rows: Rows }) {
  return (
    <section className="drawer__section" aria-label={title}>
      <h3>{title}</h3>
      <dl className="detail-list">
        {rows.map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

/** Who and what: id, status, time, model, provider, kind, requester, tags, mode. */
function requestRows(detail: LogDetail): Rows {
  return [
    ['Request id', <code key="id">{detail.requestId}</code>],
    ['Status', <Status key="status" row={detail} />],
    ['Time', formatDateTime(detail.at)],
    ['Model', <SeriesName key="model" name={detail.model} color={colorForName(detail.model)} />],
    [
      'Provider',
      <SeriesName
        key="provider"
        name={providerLabel(detail.provider)}
        color={providerColor(detail.provider)}
        series={detail.provider}
      />,
    ],
    ['Kind', KIND_LABELS[detail.kind]],
    ['Requester', detail.requester ?? '—'],
    ['Tags', <TagChips key="tags" tags={detail.tags} />],
    ['Mode', `${detail.mode}${detail.streamed ? ', streamed' : ''}`],
  ];
}

/** Every token kind, so the total visibly adds up. */
function tokenRows(detail: LogDetail): Rows {
  return [
    ['Input', formatCount(detail.inputTokens)],
    ['Output', formatCount(detail.outputTokens)],
    ['Cache read', formatCount(detail.cacheReadTokens)],
    ['Cache write', formatCount(detail.cacheWriteTokens)],
    ...cacheWriteLifetimes(detail),
    ['Total', formatCount(detail.totalTokens)],
  ];
}

/** The cache writes by lifetime, when the answer split them. */
function cacheWriteLifetimes(detail: LogDetail): Rows {
  if (detail.cacheWrite5mTokens === null || detail.cacheWrite1hTokens === null) return [];
  return [
    [
      'Cache write, 5 min / 1 h',
      <span key="lifetimes" data-cache-lifetimes>
        {formatCount(detail.cacheWrite5mTokens)} / {formatCount(detail.cacheWrite1hTokens)}
      </span>,
    ],
  ];
}

/** The tier the answer named, and whether it had a price. */
function ServiceTier({ detail }: { readonly detail: LogDetail }) {
  if (detail.serviceTier === null) return <span className="muted">not stated</span>;
  return (
    <span data-service-tier={detail.serviceTier}>
      {detail.serviceTier}
      {detail.tierUnpriced && ' (no price for this tier: priced at the standard rate)'}
    </span>
  );
}

/** The cost in the account's currency, the exact USD, the rate and the prices used. */
function costRows(detail: LogDetail): Rows {
  const exactUsd =
    detail.costUsd === null ? (
      <span key="usd" className="muted">
        unpriced
      </span>
    ) : (
      <span key="usd" data-cost-usd={detail.costUsd}>
        {detail.costUsd} USD
      </span>
    );
  return [
    [`Cost (${detail.fx.currency})`, <Cost key="cost" cost={detail.cost} fx={detail.fx} />],
    ['Exact USD', exactUsd],
    ['Exchange rate', detail.fx.currency === 'USD' ? 'none (USD)' : formatFxRate(detail.fx)],
    ['Service tier', <ServiceTier key="tier" detail={detail} />],
    ['Price table', <code key="prices">{detail.priceVersion}</code>],
  ];
}

function DetailBody({ detail }: { readonly detail: LogDetail }) {
  return (
    <>
      {detail.errorMessage !== null && (
        <Notice kind="error">
          <p className="drawer__error-source">
            {detail.errorSource === 'metrion' ? 'Error from Metrion' : 'Error from the provider'}
          </p>
          <p data-error-message>{detail.errorMessage}</p>
        </Notice>
      )}
      {detail.estimated && (
        <Notice kind="info">
          <p data-estimated-note>Estimated tokens: {ESTIMATED_EXPLANATION}</p>
        </Notice>
      )}
      <Section title="Request" rows={requestRows(detail)} />
      <Section title="Tokens" rows={tokenRows(detail)} />
      <Section title="Cost" rows={costRows(detail)} />
      <Section
        title="Timing"
        rows={[
          ['Latency', formatLatency(detail.latencyMs)],
          ['Time to first token', formatLatency(detail.timeToFirstTokenMs)],
          ...timingRows(detail.timing),
        ]}
      />
    </>
  );
}
