import { useCallback, useMemo, useState } from 'react';
import { DataTable } from '../components/DataTable.tsx';
import { FilterBar } from '../components/FilterBar.tsx';
import { FxNote } from '../components/FxNote.tsx';
import { LoadFailed, Loading } from '../components/LoadFailed.tsx';
import { NoRequests } from '../components/NoRequests.tsx';
import { Notice } from '../components/Notice.tsx';
import { requestKey } from '../components/request-columns.tsx';
import { useLatestRead } from '../hooks/use-latest-read.ts';
import { useSharedFilters } from '../hooks/use-shared-filters.ts';
import { api, errorMessage } from '../lib/api-client.ts';
import {
  DEFAULT_FILTERS,
  filterQuery,
  filtersComplete,
  type SharedFilters,
} from '../lib/filters.ts';
import { formatCount, plural } from '../lib/format.ts';
import { LogDetailDrawer } from './logs/LogDetailDrawer.tsx';
import { logColumns, logRowData } from './logs/log-columns.tsx';

/** Logs: one row per request, 50 per page, shared filters, detail drawer and CSV export. */
export default function LogsTable() {
  const { filters, change } = useSharedFilters();
  // Cursors of the pages shown so far: the last one is the current page ('' = first page).
  const [cursors, setCursors] = useState<readonly string[]>(['']);
  const [search, setSearch] = useState('');
  const [detailId, setDetailId] = useState<string | null>(null);
  const [download, setDownload] = useState<{ busy: boolean; error: string | null }>({
    busy: false,
    error: null,
  });

  const cursor = cursors[cursors.length - 1] ?? '';
  const read = useMemo(() => {
    if (!filters || !filtersComplete(filters)) return null;
    const query = cursor === '' ? filterQuery(filters) : { ...filterQuery(filters), cursor };
    return () => api.listLogs(query);
  }, [filters, cursor]);
  const { resource: state, retry } = useLatestRead(read);

  const changeFilters = useCallback(
    (next: SharedFilters) => {
      change(next);
      setCursors(['']);
    },
    [change],
  );

  const rows = state.state === 'ready' ? state.value.rows : [];
  const needle = search.trim().toLowerCase();
  const shown = useMemo(
    () =>
      needle === ''
        ? rows
        : rows.filter(
            (row) =>
              row.model.toLowerCase().includes(needle) ||
              (row.requester ?? '').toLowerCase().includes(needle) ||
              Object.entries(row.tags).some(([key, value]) =>
                `${key}:${value}`.toLowerCase().includes(needle),
              ),
          ),
    [rows, needle],
  );
  const withRequester = rows.some((row) => row.requester !== null);
  const withTags = rows.some((row) => Object.keys(row.tags).length > 0);
  const fx = state.state === 'ready' ? state.value.fx : null;
  const columns = useMemo(
    () => (fx === null ? [] : logColumns({ fx, withRequester, withTags, onDetails: setDetailId })),
    [fx, withRequester, withTags],
  );

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
      {/* Nothing to search or export in an empty range: the empty state stands alone. */}
      {!(state.state === 'ready' && state.value.totalCount === 0) && (
        <div className="logs__toolbar">
          <p className="logs__count">
            {state.state === 'ready' && (
              <span data-total-count={state.value.totalCount}>
                {formatCount(state.value.totalCount)}{' '}
                {plural(state.value.totalCount, 'request', 'requests')}
                {needle !== '' &&
                  ` · ${formatCount(shown.length)} on this page match “${search.trim()}”`}
              </span>
            )}
          </p>
          <label className="logs__search">
            <span className="visually-hidden">Search this page</span>
            <input
              type="search"
              placeholder="Search by model, requester, tag"
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
      )}
      {download.error && <Notice kind="error">{download.error}</Notice>}
      {state.state === 'loading' && <Loading what="requests" />}
      {state.state === 'error' && <LoadFailed message={state.message} onRetry={retry} />}
      {state.state === 'ready' &&
        (rows.length === 0 ? (
          <NoRequests
            what="requests"
            filters={filters ?? DEFAULT_FILTERS}
            onChange={changeFilters}
          />
        ) : (
          <>
            <div className="table-scroll">
              <DataTable
                className="table table--dense logs__table"
                columns={columns}
                rows={shown}
                rowKey={requestKey}
                rowData={logRowData}
                onRowClick={(row) => setDetailId(row.requestId)}
              />
            </div>
            <div className="logs__footer">
              <FxNote fx={state.value.fx} />
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
                  disabled={state.value.nextCursor === null}
                  onClick={() => {
                    const next = state.value.nextCursor;
                    if (next !== null) setCursors((stack) => [...stack, next]);
                  }}
                >
                  Next
                </button>
              </div>
            </div>
          </>
        ))}
      <LogDetailDrawer requestId={detailId} onClose={() => setDetailId(null)} />
    </div>
  );
}
