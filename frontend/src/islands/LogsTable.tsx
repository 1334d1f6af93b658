import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { FxDto } from '#contracts/dashboard-api.ts';
import type { LogDetail, LogRow, LogsPage } from '#contracts/logs-api.ts';
import { FilterBar } from '../components/FilterBar.tsx';
import { FxNote } from '../components/FxNote.tsx';
import { LoadFailed, Loading } from '../components/LoadFailed.tsx';
import { Notice } from '../components/Notice.tsx';
import { api, errorMessage } from '../lib/api-client.ts';
import {
  DEFAULT_FILTERS,
  filterQuery,
  readFilters,
  type SharedFilters,
  storeFilters,
} from '../lib/filters.ts';
import {
  formatCount,
  formatDateTime,
  formatFxRate,
  formatLatency,
  formatMoneyDecimal,
  statusClass,
} from '../lib/format.ts';

type PageState =
  | { readonly state: 'loading' }
  | { readonly state: 'error'; readonly message: string }
  | { readonly state: 'ready'; readonly page: LogsPage };

/** A request's cost in the account's currency (`cost` converted with `fx`), or "unpriced". */
function Cost({ cost, fx }: { readonly cost: string | null; readonly fx: FxDto }) {
  return cost === null ? (
    <span className="muted">unpriced</span>
  ) : (
    <span>{formatMoneyDecimal(cost, fx.currency)}</span>
  );
}

function Status({ row }: { readonly row: Pick<LogRow, 'status' | 'cached'> }) {
  return (
    <span className="status-cell">
      <span className={`status-code status-code--${statusClass(row.status)}`}>{row.status}</span>
      {row.cached && <span className="badge badge--cached">Cached</span>}
    </span>
  );
}

/** Logs: one row per request, 50 per page, shared filters, detail dialog and CSV export. */
export default function LogsTable() {
  const [filters, setFilters] = useState<SharedFilters | null>(null);
  // Cursors of the pages shown so far: the last one is the current page ('' = first page).
  const [cursors, setCursors] = useState<readonly string[]>(['']);
  const [state, setState] = useState<PageState>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [search, setSearch] = useState('');
  const [detailId, setDetailId] = useState<string | null>(null);
  const [download, setDownload] = useState<{ busy: boolean; error: string | null }>({
    busy: false,
    error: null,
  });

  useEffect(() => setFilters(readFilters(new URLSearchParams(location.search))), []);

  const cursor = cursors[cursors.length - 1] ?? '';
  // biome-ignore lint/correctness/useExhaustiveDependencies: attempt re-runs the read on retry.
  useEffect(() => {
    if (!filters) return;
    if (filters.range === 'custom' && (filters.from === '' || filters.to === '')) return;
    let current = true;
    setState({ state: 'loading' });
    const query = cursor === '' ? filterQuery(filters) : { ...filterQuery(filters), cursor };
    api.listLogs(query).then(
      (page) => current && setState({ state: 'ready', page }),
      (error: unknown) => current && setState({ state: 'error', message: errorMessage(error) }),
    );
    return () => {
      current = false;
    };
  }, [filters, cursor, attempt]);

  const changeFilters = useCallback((next: SharedFilters) => {
    storeFilters(next);
    setFilters(next);
    setCursors(['']);
  }, []);

  const rows = state.state === 'ready' ? state.page.rows : [];
  const needle = search.trim().toLowerCase();
  const shown = useMemo(
    () =>
      needle === ''
        ? rows
        : rows.filter(
            (row) =>
              row.model.toLowerCase().includes(needle) ||
              (row.requester ?? '').toLowerCase().includes(needle),
          ),
    [rows, needle],
  );
  const withRequester = rows.some((row) => row.requester !== null);

  const downloadCsv = async () => {
    if (!filters) return;
    setDownload({ busy: true, error: null });
    try {
      const blob = await api.downloadLogsCsv(filterQuery(filters));
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = `metrion-logs-${new Date().toISOString().slice(0, 10)}.csv`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      setDownload({ busy: false, error: null });
    } catch (error) {
      setDownload({ busy: false, error: errorMessage(error) });
    }
  };

  return (
    <div className="logs">
      <FilterBar filters={filters ?? DEFAULT_FILTERS} onChange={changeFilters} />
      <div className="logs__toolbar">
        <label className="logs__search">
          <span className="visually-hidden">Search this page</span>
          <input
            type="search"
            placeholder="Search this page by model or requester"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
          />
        </label>
        <button
          type="button"
          className="button button--secondary button--small"
          onClick={downloadCsv}
          disabled={download.busy || !filters}
        >
          {download.busy ? 'Preparing CSV…' : 'Download CSV'}
        </button>
      </div>
      {download.error && <Notice kind="error">{download.error}</Notice>}
      {state.state === 'loading' && <Loading what="requests" />}
      {state.state === 'error' && (
        <LoadFailed message={state.message} onRetry={() => setAttempt((n) => n + 1)} />
      )}
      {state.state === 'ready' && (
        <>
          {rows.length === 0 ? (
            <p className="empty" data-empty>
              No requests in this range and filter.
            </p>
          ) : (
            <div className="table-scroll">
              <table className="table table--compact logs__table">
                <thead>
                  <tr>
                    <th scope="col">Status</th>
                    <th scope="col">Time</th>
                    {withRequester && <th scope="col">Requester</th>}
                    <th scope="col">Model</th>
                    <th scope="col">Provider</th>
                    <th scope="col" className="num">
                      Input
                    </th>
                    <th scope="col" className="num">
                      Output
                    </th>
                    <th scope="col" className="num">
                      Total
                    </th>
                    <th scope="col" className="num">
                      Cost ({state.page.fx.currency})
                    </th>
                    <th scope="col" className="num">
                      Latency
                    </th>
                    <th scope="col">
                      <span className="visually-hidden">Details</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((row) => (
                    <tr
                      key={row.requestId}
                      data-log-row
                      data-request-id={row.requestId}
                      data-status={row.status}
                    >
                      <td>
                        <Status row={row} />
                      </td>
                      <td>
                        <time dateTime={row.at}>{formatDateTime(row.at)}</time>
                      </td>
                      {withRequester && (
                        <td>{row.requester ?? <span className="muted">—</span>}</td>
                      )}
                      <td>{row.model}</td>
                      <td>{row.provider}</td>
                      <td className="num">{formatCount(row.inputTokens)}</td>
                      <td className="num">{formatCount(row.outputTokens)}</td>
                      <td className="num">{formatCount(row.totalTokens)}</td>
                      <td className="num" data-cost={row.cost ?? ''}>
                        <Cost cost={row.cost} fx={state.page.fx} />
                      </td>
                      <td className="num">{formatLatency(row.latencyMs)}</td>
                      <td>
                        <button
                          type="button"
                          className="button button--secondary button--small"
                          onClick={() => setDetailId(row.requestId)}
                          aria-label={`Details of request ${row.requestId}`}
                        >
                          Details
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <div className="logs__footer">
            <div>
              <p data-total-count={state.page.totalCount}>
                {formatCount(state.page.totalCount)}{' '}
                {state.page.totalCount === 1 ? 'request' : 'requests'}
                {needle !== '' &&
                  ` · ${formatCount(shown.length)} on this page match “${search.trim()}”`}
              </p>
              <FxNote fx={state.page.fx} />
            </div>
            <div className="button-row">
              <button
                type="button"
                className="button button--secondary button--small"
                disabled={cursors.length <= 1}
                onClick={() => setCursors((stack) => stack.slice(0, -1))}
              >
                Previous
              </button>
              <span className="muted">Page {cursors.length}</span>
              <button
                type="button"
                className="button button--secondary button--small"
                disabled={state.page.nextCursor === null}
                onClick={() => {
                  const next = state.page.nextCursor;
                  if (next !== null) setCursors((stack) => [...stack, next]);
                }}
              >
                Next
              </button>
            </div>
          </div>
        </>
      )}
      <LogDetailDialog requestId={detailId} onClose={() => setDetailId(null)} />
    </div>
  );
}

type DetailState =
  | { readonly state: 'loading' }
  | { readonly state: 'error'; readonly message: string }
  | { readonly state: 'ready'; readonly detail: LogDetail };

function LogDetailDialog({
  requestId,
  onClose,
}: {
  readonly requestId: string | null;
  readonly onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [state, setState] = useState<DetailState>({ state: 'loading' });

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (requestId === null) {
      if (element.open) element.close();
      return;
    }
    if (!element.open) element.showModal();
    let current = true;
    setState({ state: 'loading' });
    api.getLog(requestId).then(
      (detail) => current && setState({ state: 'ready', detail }),
      (error: unknown) => current && setState({ state: 'error', message: errorMessage(error) }),
    );
    return () => {
      current = false;
    };
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
      {state.state === 'ready' && <DetailBody detail={state.detail} />}
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
