import { useCallback, useMemo, useState } from 'react';
import type { LogRow } from '#contracts/logs-api.ts';
import { DataTable } from '../components/DataTable.tsx';
import { FilterBar } from '../components/FilterBar.tsx';
import { FxNote } from '../components/FxNote.tsx';
import { LoadFailed, Loading } from '../components/LoadFailed.tsx';
import { NoRequests } from '../components/NoRequests.tsx';
import { Notice } from '../components/Notice.tsx';
import { requestKey } from '../components/request-columns.tsx';
import { useLatestRead } from '../hooks/use-latest-read.ts';
import { useSharedFilters } from '../hooks/use-shared-filters.ts';
import { api } from '../lib/api-client.ts';
import {
  DEFAULT_FILTERS,
  filterQuery,
  filtersComplete,
  type SharedFilters,
} from '../lib/filters.ts';
import { LogDetailDrawer } from './logs/LogDetailDrawer.tsx';
import { LogsPager } from './logs/LogsPager.tsx';
import { LogsToolbar } from './logs/LogsToolbar.tsx';
import { logColumns, logRowData } from './logs/log-columns.tsx';
import { useCsvDownload } from './logs/use-csv-download.ts';

/** Whether a row's model, requester or a `key:value` tag contains the lower-case needle. */
function matchesSearch(row: LogRow, needle: string): boolean {
  return (
    row.model.toLowerCase().includes(needle) ||
    (row.requester ?? '').toLowerCase().includes(needle) ||
    Object.entries(row.tags).some(([key, value]) =>
      `${key}:${value}`.toLowerCase().includes(needle),
    )
  );
}

/**
 * The page of logs the filters and the cursor stack select. Changing the filters goes back to
 * the first page.
 */
function useLogPages() {
  const { filters, change } = useSharedFilters();
  // Cursors of the pages shown so far: the last one is the current page ('' = first page).
  const [cursors, setCursors] = useState<readonly string[]>(['']);
  const cursor = cursors[cursors.length - 1] ?? '';
  const read = useMemo(() => {
    if (!filters || !filtersComplete(filters)) return null;
    const query = cursor === '' ? filterQuery(filters) : { ...filterQuery(filters), cursor };
    return () => api.listLogs(query);
  }, [filters, cursor]);
  const { resource, retry } = useLatestRead(read);
  const changeFilters = useCallback(
    (next: SharedFilters) => {
      change(next);
      setCursors(['']);
    },
    [change],
  );
  return {
    filters,
    changeFilters,
    resource,
    retry,
    page: cursors.length,
    previous: () => setCursors((stack) => stack.slice(0, -1)),
    next: (nextCursor: string) => setCursors((stack) => [...stack, nextCursor]),
  };
}

/** Logs: one row per request, 50 per page, shared filters, detail drawer and CSV export. */
export default function LogsTable() {
  const { filters, changeFilters, resource: state, retry, ...pages } = useLogPages();
  const [search, setSearch] = useState('');
  const [detailId, setDetailId] = useState<string | null>(null);
  const { download, start: downloadCsv } = useCsvDownload(filters);

  const rows = state.state === 'ready' ? state.value.rows : [];
  const needle = search.trim().toLowerCase();
  const shown = useMemo(
    () => (needle === '' ? rows : rows.filter((row) => matchesSearch(row, needle))),
    [rows, needle],
  );
  const withRequester = rows.some((row) => row.requester !== null);
  const withTags = rows.some((row) => Object.keys(row.tags).length > 0);
  const fx = state.state === 'ready' ? state.value.fx : null;
  const columns = useMemo(
    () => (fx === null ? [] : logColumns({ fx, withRequester, withTags, onDetails: setDetailId })),
    [fx, withRequester, withTags],
  );

  return (
    <div className="logs">
      <FilterBar filters={filters ?? DEFAULT_FILTERS} onChange={changeFilters} />
      {/* Nothing to search or export in an empty range: the empty state stands alone. */}
      {!(state.state === 'ready' && state.value.totalCount === 0) && (
        <LogsToolbar
          totalCount={state.state === 'ready' ? state.value.totalCount : null}
          search={search}
          onSearch={setSearch}
          matchCount={shown.length}
          downloading={download.busy}
          canDownload={filters !== null}
          onDownload={downloadCsv}
        />
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
              <LogsPager
                page={pages.page}
                nextCursor={state.value.nextCursor}
                onPrevious={pages.previous}
                onNext={pages.next}
              />
            </div>
          </>
        ))}
      <LogDetailDrawer requestId={detailId} onClose={() => setDetailId(null)} />
    </div>
  );
}
