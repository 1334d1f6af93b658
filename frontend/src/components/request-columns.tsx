import { formatDateTime, formatLatency } from '../lib/format.ts';
import type { Column } from './DataTable.tsx';
import { StatusCode } from './StatusCode.tsx';

/** What every request row has: a Logs row and a Dashboard recent error alike. */
export interface RequestFields {
  readonly requestId: string;
  /** ISO instant the request arrived. */
  readonly at: string;
  readonly status: number;
  readonly provider: string;
  readonly model: string;
  readonly requester: string | null;
  readonly latencyMs: number;
}

/** The columns the Logs table and the Errors tab's recent errors share, by name. */
export const REQUEST_COLUMNS = {
  status: {
    key: 'status',
    header: 'Status',
    cell: (row) => <StatusCode status={row.status} />,
  },
  time: {
    key: 'time',
    header: 'Time',
    cell: (row) => <time dateTime={row.at}>{formatDateTime(row.at)}</time>,
  },
  requester: {
    key: 'requester',
    header: 'Requester',
    cell: (row) => row.requester ?? <span className="muted">—</span>,
  },
  model: { key: 'model', header: 'Model', cell: (row) => row.model },
  provider: { key: 'provider', header: 'Provider', cell: (row) => row.provider },
  latency: {
    key: 'latency',
    header: 'Latency',
    numeric: true,
    cell: (row) => formatLatency(row.latencyMs),
  },
} as const satisfies Record<string, Column<RequestFields>>;

/** The key of a request row. */
export const requestKey = (row: Pick<RequestFields, 'requestId'>) => row.requestId;
