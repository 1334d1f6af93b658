import type { FxDto } from '#contracts/dashboard-api.ts';
import type { LogRow } from '#contracts/logs-api.ts';
import type { Column, DataAttributes } from '../../components/DataTable.tsx';
import { REQUEST_COLUMNS } from '../../components/request-columns.tsx';
import { TagChips } from '../../components/TagChips.tsx';
import { formatCount } from '../../lib/format.ts';
import { KIND_LABELS } from '../../lib/kinds.ts';
import { Cost, Status } from './LogCells.tsx';

/** A token count column: every kind the total adds up has one. */
function tokens(key: string, header: string, count: (row: LogRow) => number): Column<LogRow> {
  return { key, header, numeric: true, cell: (row) => formatCount(count(row)) };
}

/**
 * The Logs table's columns: the request columns it shares with the Dashboard's recent errors,
 * the kind, tokens of every kind, cost in the page's currency and a Details button; Requester
 * and Tags only when a row on the page has one.
 */
export function logColumns(options: {
  readonly fx: FxDto;
  readonly withRequester: boolean;
  readonly withTags: boolean;
  readonly onDetails: (requestId: string) => void;
}): Column<LogRow>[] {
  const { fx, withRequester, withTags, onDetails } = options;
  return [
    { ...REQUEST_COLUMNS.status, cell: (row) => <Status row={row} /> },
    REQUEST_COLUMNS.time,
    ...(withRequester ? [REQUEST_COLUMNS.requester] : []),
    ...(withTags
      ? [{ key: 'tags', header: 'Tags', cell: (row: LogRow) => <TagChips tags={row.tags} /> }]
      : []),
    REQUEST_COLUMNS.model,
    REQUEST_COLUMNS.provider,
    {
      key: 'kind',
      header: 'Kind',
      cellClassName: 'nowrap',
      cellData: (row) => ({ 'data-kind': row.kind }),
      cell: (row) => KIND_LABELS[row.kind],
    },
    tokens('input', 'Input', (row) => row.inputTokens),
    tokens('output', 'Output', (row) => row.outputTokens),
    tokens('cache-read', 'Cache read', (row) => row.cacheReadTokens),
    tokens('cache-write', 'Cache write', (row) => row.cacheWriteTokens),
    tokens('total', 'Total', (row) => row.totalTokens),
    {
      key: 'cost',
      header: `Cost (${fx.currency})`,
      numeric: true,
      cellData: (row) => ({ 'data-cost': row.cost ?? '' }),
      cell: (row) => <Cost cost={row.cost} fx={fx} />,
    },
    REQUEST_COLUMNS.latency,
    {
      key: 'details',
      header: <span className="visually-hidden">Details</span>,
      cell: (row) => (
        <button
          type="button"
          className="row-open"
          onClick={() => onDetails(row.requestId)}
          aria-label={`Details of request ${row.requestId}`}
          title="Details"
        >
          <span aria-hidden="true">›</span>
        </button>
      ),
    },
  ];
}

/** What tests select a Logs row by: every row, its request id and its status. */
export function logRowData(row: LogRow): DataAttributes {
  return { 'data-log-row': true, 'data-request-id': row.requestId, 'data-status': row.status };
}
