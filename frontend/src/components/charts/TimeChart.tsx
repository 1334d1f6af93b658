import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  readonly label: string;
  readonly color: string;
  /** One value per x; null leaves a gap. */
  readonly values: readonly (number | null)[];
  /** Filled area under the line (stacked charts pass pre-stacked layers). */
  readonly fill?: boolean;
}

interface TimeChartProps {
  /** Unix seconds. */
  readonly x: readonly number[];
  readonly series: readonly ChartSeries[];
  readonly height?: number;
  /** A bare line without axes, legend or cursor. */
  readonly sparkline?: boolean;
  /** Read by screen readers instead of the canvas. */
  readonly label: string;
  /** Formats y values on the axis and in the legend. */
  readonly formatValue?: (value: number) => string;
}

/** A uPlot time series chart that follows its container's width. */
export function TimeChart({
  x,
  series,
  height = 220,
  sparkline = false,
  label,
  formatValue,
}: TimeChartProps) {
  const container = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const format = formatValue ?? ((value: number) => value.toLocaleString('en-US'));
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 100),
      height,
      cursor: sparkline ? { show: false } : { drag: { x: false, y: false } },
      legend: { show: !sparkline, live: false },
      select: { show: false, left: 0, top: 0, width: 0, height: 0 },
      scales: {
        x: { time: true },
        y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] },
      },
      axes: sparkline
        ? [{ show: false }, { show: false }]
        : [
            { stroke: '#59636e', grid: { stroke: '#eef0f3' } },
            {
              stroke: '#59636e',
              grid: { stroke: '#eef0f3' },
              size: 64,
              values: (_u, ticks) => ticks.map((tick) => format(tick)),
            },
          ],
      series: [
        { label: 'Time' },
        ...series.map((item) => ({
          label: item.label,
          stroke: item.color,
          width: sparkline ? 1.5 : 2,
          points: { show: false },
          value: (_u: uPlot, value: number | null) => (value === null ? '—' : format(value)),
          ...(item.fill ? { fill: `${item.color}55` } : {}),
        })),
      ],
    };
    const data = [x, ...series.map((item) => item.values)] as unknown as uPlot.AlignedData;
    const chart = new uPlot(options, data, element);
    const resize = new ResizeObserver(() => {
      chart.setSize({ width: Math.max(element.clientWidth, 100), height });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [x, series, height, sparkline, formatValue]);

  return (
    <div className={sparkline ? 'chart chart--spark' : 'chart'} role="img" aria-label={label}>
      <div ref={container} />
    </div>
  );
}
