import { type ReactNode, useEffect, useMemo, useRef } from 'react';
import type { LogDetail } from '#contracts/logs-api.ts';
import { Loading } from '../../components/LoadFailed.tsx';
import { Notice } from '../../components/Notice.tsx';
import { useLatestRead } from '../../hooks/use-latest-read.ts';
import { api } from '../../lib/api-client.ts';
import {
  formatCount,
  formatDateTime,
  formatFxRate,
  formatLatency,
  formatOverhead,
} from '../../lib/format.ts';
import { Cost, ESTIMATED_EXPLANATION, Status } from './LogCells.tsx';

/** One request's details, read when `requestId` is set; the dialog is open while it is. */
export function LogDetailDialog({
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
    <dialog
      ref={dialog}
      className="confirm log-detail"
      aria-labelledby="log-detail-title"
      onClose={onClose}
    >
      <h2 id="log-detail-title">Request details</h2>
      {state.state === 'loading' && <Loading what="the request" />}
      {state.state === 'error' && <Notice kind="error">{state.message}</Notice>}
      {state.state === 'ready' && <DetailBody detail={state.value} />}
      <div className="button-row">
        <button type="button" className="button button--secondary" onClick={onClose}>
          Close
        </button>
      </div>
    </dialog>
  );
}

function DetailBody({ detail }: { readonly detail: LogDetail }) {
  const items: [string, ReactNode][] = [
    ['Request id', <code key="id">{detail.requestId}</code>],
    ['Status', <Status key="status" row={detail} />],
    ['Time', formatDateTime(detail.at)],
    ['Provider', detail.provider],
    ['Model', detail.model],
    ['Requester', detail.requester ?? '—'],
    ['Mode', `${detail.mode}${detail.streamed ? ', streamed' : ''}`],
    ['Input tokens', formatCount(detail.inputTokens)],
    ['Output tokens', formatCount(detail.outputTokens)],
    [
      'Cache read / write tokens',
      `${formatCount(detail.cacheReadTokens)} / ${formatCount(detail.cacheWriteTokens)}`,
    ],
    ['Total tokens', formatCount(detail.totalTokens)],
    [`Cost (${detail.fx.currency})`, <Cost key="cost" cost={detail.cost} fx={detail.fx} />],
    [
      'Cost in USD (exact)',
      detail.costUsd === null ? (
        <span key="usd" className="muted">
          unpriced
        </span>
      ) : (
        <span key="usd" data-cost-usd={detail.costUsd}>
          {detail.costUsd} USD
        </span>
      ),
    ],
    ['Exchange rate', detail.fx.currency === 'USD' ? 'none (USD)' : formatFxRate(detail.fx)],
    ['Latency', formatLatency(detail.latencyMs)],
    ['Time to first token', formatLatency(detail.timeToFirstTokenMs)],
    [
      'Metrion overhead',
      <span key="overhead" data-overhead>
        {formatOverhead(detail.timing)}
      </span>,
    ],
    ['Price table', detail.priceVersion],
  ];
  return (
    <>
      {detail.errorMessage !== null && (
        <Notice kind="error">
          <p data-error-message>
            {detail.errorSource === 'metrion' ? 'Metrion error: ' : 'Provider error: '}
            {detail.errorMessage}
          </p>
        </Notice>
      )}
      {detail.estimated && (
        <Notice kind="info">
          <p data-estimated-note>Estimated tokens: {ESTIMATED_EXPLANATION}</p>
        </Notice>
      )}
      <dl className="detail-list">
        {items.map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </>
  );
}
