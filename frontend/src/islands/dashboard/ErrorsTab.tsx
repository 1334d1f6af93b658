import { useMemo } from 'react';
import type { ErrorsDto, RecentErrorDto } from '#contracts/dashboard-api.ts';
import { Bars, StatCard } from '../../components/charts/parts.tsx';
import { StackedChart } from '../../components/charts/StackedChart.tsx';
import { type Column, DataTable } from '../../components/DataTable.tsx';
import { REQUEST_COLUMNS, requestKey } from '../../components/request-columns.tsx';
import { StatusCode } from '../../components/StatusCode.tsx';
import { bucketSeconds, largest } from '../../lib/chart-data.ts';
import { statusColor } from '../../lib/colors.ts';
import { ERROR_SOURCE_LABELS } from '../../lib/error-sources.ts';
import { formatCount, formatCountTick, formatShare } from '../../lib/format.ts';

/** The recent errors: the Logs table's request columns plus who answered with what. */
const RECENT_COLUMNS: readonly Column<RecentErrorDto>[] = [
  REQUEST_COLUMNS.status,
  REQUEST_COLUMNS.time,
  REQUEST_COLUMNS.model,
  REQUEST_COLUMNS.provider,
  REQUEST_COLUMNS.requester,
  {
    key: 'source',
    header: 'From',
    cell: (item) => (item.errorSource === null ? '—' : ERROR_SOURCE_LABELS[item.errorSource]),
  },
  {
    key: 'message',
    header: 'Message',
    cellClassName: 'error-message',
    cell: (item) => item.errorMessage ?? <span className="muted">—</span>,
  },
  REQUEST_COLUMNS.latency,
];

/** Errors: errors over time and by status, and the 50 most recent matching errors. */
export function ErrorsTab({ data }: { readonly data: ErrorsDto }) {
  const x = useMemo(() => bucketSeconds(data.range.buckets), [data]);
  const layers = useMemo(
    () =>
      data.byStatus.map((item) => ({
        label: String(item.status),
        color: statusColor(item.status),
        values: item.series,
      })),
    [data],
  );
  return (
    <>
      <div className="dash-row dash-row--wide">
        <StatCard
          title="Errors by status code"
          value={formatCount(data.errors.total)}
          changePct={data.errors.changePct}
          testId="card-errors-total"
        >
          <p className="dash-card__sub">{formatShare(data.errors.rate)} of requests</p>
          <StackedChart
            x={x}
            layers={layers}
            label="Errors by status code over time"
            formatValue={formatCountTick}
            counts
          />
        </StatCard>
        <StatCard title="By status">
          <Bars
            label="Errors by status"
            max={largest(data.byStatus.map((item) => item.total))}
            bars={data.byStatus.map((item) => ({
              key: String(item.status),
              label: <StatusCode status={item.status} />,
              value: item.total,
              text: formatCount(item.total),
              color: statusColor(item.status),
              series: String(item.status),
            }))}
          />
        </StatCard>
      </div>
      <StatCard title="Most recent errors" wide testId="recent-errors">
        <div className="table-scroll table-scroll--bare">
          <DataTable
            className="table table--compact"
            columns={RECENT_COLUMNS}
            rows={data.recent}
            rowKey={requestKey}
          />
        </div>
      </StatCard>
    </>
  );
}
