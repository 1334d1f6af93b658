import { useMemo } from 'react';
import type { LatencyDto } from '#contracts/dashboard-api.ts';
import { StatCard } from '../../components/charts/parts.tsx';
import { type ChartSeries, TimeChart } from '../../components/charts/TimeChart.tsx';
import { EmptyRange } from '../../components/EmptyRange.tsx';
import { bucketSeconds, STATUS_COLORS, seriesColor } from '../../lib/chart-data.ts';
import { formatLatency } from '../../lib/format.ts';

/** Latency: overall percentiles and p50/p95/p99 over time. */
export function LatencyTab({ data }: { readonly data: LatencyDto }) {
  const x = useMemo(() => bucketSeconds(data.range.buckets), [data]);
  const series = useMemo<ChartSeries[]>(
    () => [
      { label: 'p50', color: seriesColor(1), values: data.series.p50 },
      { label: 'p95', color: seriesColor(2), values: data.series.p95 },
      { label: 'p99', color: STATUS_COLORS.error, values: data.series.p99 },
    ],
    [data],
  );
  const { overall } = data;
  return (
    <>
      {overall.avg === null && <EmptyRange />}
      <div className="dash-row dash-row--4">
        <StatCard title="p50" value={formatLatency(overall.p50)} testId="card-p50" />
        <StatCard title="p95" value={formatLatency(overall.p95)} testId="card-p95" />
        <StatCard title="p99" value={formatLatency(overall.p99)} testId="card-p99" />
        <StatCard title="Average" value={formatLatency(overall.avg)} />
      </div>
      <StatCard title="Latency percentiles over time" wide>
        <TimeChart
          x={x}
          series={series}
          label="p50, p95 and p99 latency over time"
          formatValue={formatLatency}
        />
        <p className="dash-card__sub">Percentiles are within about 9% of the exact values.</p>
      </StatCard>
    </>
  );
}
