import { type ComponentProps, useMemo } from 'react';
import { hasTrend } from '../../lib/chart-data.ts';
import { StatCard } from './parts.tsx';
import { type ChartSeries, TimeChart } from './TimeChart.tsx';

/**
 * A headline figure and badge over a one-series sparkline (the Overview's bottom row). With
 * fewer than two values (latency has none for buckets without traffic) there is no line to
 * draw: the figure stands alone, with a note, instead of a lone dot.
 */
export function SparkCard({
  title,
  value,
  changePct,
  testId,
  x,
  label,
  color,
  values,
  fill = false,
}: Pick<ComponentProps<typeof StatCard>, 'title' | 'value' | 'changePct' | 'testId'> & {
  readonly x: readonly number[];
  /** The chart's accessible label. */
  readonly label: string;
  readonly color: string;
  readonly values: ChartSeries['values'];
  readonly fill?: boolean;
}) {
  const series = useMemo<ChartSeries[]>(
    () => [{ label: title, color, values, fill }],
    [title, color, values, fill],
  );
  return (
    <StatCard title={title} value={value} changePct={changePct} testId={testId}>
      {hasTrend(values) ? (
        <TimeChart x={x} series={series} sparkline height={50} label={label} />
      ) : (
        <p className="dash-card__sub" data-no-trend>
          Too little traffic in this range to draw a trend.
        </p>
      )}
    </StatCard>
  );
}
