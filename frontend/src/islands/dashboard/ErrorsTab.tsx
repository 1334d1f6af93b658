import { useMemo } from 'react';
import type { ErrorsDto, RecentErrorDto } from '#contracts/dashboard-api.ts';
import { Bars, StatCard } from '../../components/charts/parts.tsx';
import { StackedChart } from '../../components/charts/StackedChart.tsx';
import { type Column, DataTable } from '../../components/DataTable.tsx';
import { REQUEST_COLUMNS, requestKey } from '../../components/request-columns.tsx';
import { StatusCode } from '../../components/StatusCode.tsx';
import { bucketSeconds, largest, seriesColor } from '../../lib/chart-data.ts';
import { formatCount, formatCountTick, formatShare } from '../../lib/format.ts';

/** The recent errors: the Logs table's request columns plus the error message. */
const RECENT_COLUMNS: readonly Column<RecentErrorDto>[] = [
  REQUEST_COLUMNS.status,
  REQUEST_COLUMNS.time,
  REQUEST_COLUMNS.model,
  REQUEST_COLUMNS.provider,
  REQUEST_COLUMNS.requester,
  {
    key: 'message',
    header: 'Message',
    cellClassName: 'error-message',
    cell: (item) =>
      `${item.errorSource === 'metrion' ? 'Metrion: ' : ''}${item.errorMessage ?? '—'}`,
  },
  REQUEST_COLUMNS.latency,
];

/** Errors: errors over time and by status, and the 50 most recent matching errors. */
export function ErrorsTab({ data }: { readonly data: ErrorsDto }) {
  const x = useMemo(() => bucketSeconds(data.range.buckets), [data]);
  const layers = useMemo(
    () => data.byStatus.map((item) => ({ label: String(item.status), values: item.series })),
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
          />
        </StatCard>
        <StatCard title="By status">
          <Bars
            label="Errors by status"
            max={largest(data.byStatus.map((item) => item.total))}
            bars={data.byStatus.map((item, index) => ({
              key: String(item.status),
              label: <StatusCode status={item.status} />,
              value: item.total,
              text: formatCount(item.total),
              color: seriesColor(index),
            }))}
          />
        </StatCard>
      </div>
      <StatCard title="Most recent errors" wide testId="recent-errors">
        {data.recent.length === 0 ? (
          <p className="empty">No errors in this range.</p>
        ) : (
          <DataTable
            className="table table--compact"
            columns={RECENT_COLUMNS}
            rows={data.recent}
            rowKey={requestKey}
          />
        )}
      </StatCard>
    </>
  );
}
