import { colorForName, providerColor } from '../lib/colors.ts';
import { formatDateTime, formatLatency, formatRowTime } from '../lib/format.ts';
import { providerLabel } from '../lib/providers.ts';
import type { Column } from './DataTable.tsx';
import { SeriesName } from './SeriesName.tsx';
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

/**
 * The columns the Logs table and the Errors tab's recent errors share, by name. Each cell stays
 * on one line: a row is one line high, however long a model id is.
 */
export const REQUEST_COLUMNS = {
  status: {
    key: 'status',
    header: 'Status',
    cell: (row) => <StatusCode status={row.status} />,
  },
  time: {
    key: 'time',
    header: 'Time',
    cellClassName: 'nowrap',
    cell: (row) => (
      <time dateTime={row.at} title={formatDateTime(row.at)}>
        {formatRowTime(row.at)}
      </time>
    ),
  },
  requester: {
    key: 'requester',
    header: 'Requester',
    cellClassName: 'cell-clip',
    cell: (row) =>
      row.requester === null ? (
        <span className="muted">—</span>
      ) : (
        <span title={row.requester}>{row.requester}</span>
      ),
  },
  model: {
    key: 'model',
    header: 'Model',
    cellClassName: 'cell-clip',
    cell: (row) => <SeriesName name={row.model} color={colorForName(row.model)} />,
  },
  provider: {
    key: 'provider',
    header: 'Provider',
    cellClassName: 'nowrap',
    cell: (row) => (
      <SeriesName
        name={providerLabel(row.provider)}
        color={providerColor(row.provider)}
        series={row.provider}
      />
    ),
  },
  latency: {
    key: 'latency',
    header: 'Latency',
    numeric: true,
    cell: (row) => formatLatency(row.latencyMs),
  },
} as const satisfies Record<string, Column<RequestFields>>;

/** The key of a request row. */
export const requestKey = (row: Pick<RequestFields, 'requestId'>) => row.requestId;
