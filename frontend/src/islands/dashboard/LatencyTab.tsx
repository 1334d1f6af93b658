import { useMemo } from 'react';
import type { LatencyDto } from '#contracts/dashboard-api.ts';
import { StatCard } from '../../components/charts/parts.tsx';
import { type ChartSeries, TimeChart } from '../../components/charts/TimeChart.tsx';
import { bucketSeconds, hasTrend } from '../../lib/chart-data.ts';
import { PERCENTILE_COLORS } from '../../lib/colors.ts';
import { formatBucketSpan, formatLatency } from '../../lib/format.ts';

/** Latency: overall percentiles and p50/p95/p99 over time. */
export function LatencyTab({ data }: { readonly data: LatencyDto }) {
  const x = useMemo(() => bucketSeconds(data.range.buckets), [data]);
  const series = useMemo<ChartSeries[]>(
    () => [
      { label: 'p50', color: PERCENTILE_COLORS.p50, values: data.series.p50 },
      { label: 'p95', color: PERCENTILE_COLORS.p95, values: data.series.p95 },
      { label: 'p99', color: PERCENTILE_COLORS.p99, values: data.series.p99 },
    ],
    [data],
  );
  const { overall } = data;
  return (
    <>
      <div className="dash-row dash-row--4">
        <StatCard title="p50" value={formatLatency(overall.p50)} testId="card-p50" />
        <StatCard title="p95" value={formatLatency(overall.p95)} testId="card-p95" />
        <StatCard title="p99" value={formatLatency(overall.p99)} testId="card-p99" />
        <StatCard title="Average" value={formatLatency(overall.avg)} />
      </div>
      <StatCard title="Latency percentiles over time" wide>
        {hasTrend(data.series.p50) ? (
          <TimeChart
            x={x}
            series={series}
            label="p50, p95 and p99 latency over time"
            formatValue={formatLatency}
          />
        ) : (
          <SingleBucket data={data} />
        )}
        <p className="dash-card__sub">Percentiles are within about 9% of the exact values.</p>
      </StatCard>
    </>
  );
}

/** All traffic of the range in one bucket: its figures as text, not three lone dots. */
function SingleBucket({ data }: { readonly data: LatencyDto }) {
  const index = data.series.p50.findIndex((value) => value !== null);
  const start = data.range.buckets[index];
  return (
    <p className="latency-single" data-no-trend>
      All requests of this range fall in one {data.range.bucket}
      {start === undefined ? '' : ` (${formatBucketSpan(start, data.range.bucket)})`}, so there is
      no trend to draw yet: p50 {formatLatency(data.series.p50[index] ?? null)}, p95{' '}
      {formatLatency(data.series.p95[index] ?? null)}, p99{' '}
      {formatLatency(data.series.p99[index] ?? null)}.
    </p>
  );
}
