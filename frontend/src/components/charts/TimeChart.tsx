import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { COUNT_TICK_STEPS, isolatedPoints } from '../../lib/chart-data.ts';
import { ChartLegend, type LegendItem } from './ChartLegend.tsx';

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
  /** Formats y axis ticks; `step` is the distance between two ticks. */
  readonly formatValue?: (value: number, step: number) => string;
  /** The y axis counts things: whole-number ticks only. */
  readonly counts?: boolean;
  /** The legend's entries, in reading order. @default - the series, in order */
  readonly legend?: readonly LegendItem[];
}

/**
 * Room around a sparkline's plot (it has no axes to make some), so a point or a flat line at an
 * edge is not cut in half. CSS px: top, right, bottom, left.
 */
const SPARKLINE_PADDING: uPlot.Padding = [4, 4, 4, 4];
/** A single bucket is an hour (daily ranges always have several): show an hour either side. */
const LONE_BUCKET_MARGIN_SECONDS = 3600;

/** The font uPlot draws axis values in (set explicitly so the axis width can be measured). */
const AXIS_FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const AXIS_TICK_AND_GAP_PX = 10 + 5;
let measure: CanvasRenderingContext2D | null | undefined;

/** Width of the y axis: its longest tick label plus tick and gap, so no label is clipped. */
function yAxisSize(_u: uPlot, values: readonly string[] | null): number {
  measure ??= document.createElement('canvas').getContext('2d');
  if (!measure || !values || values.length === 0) return 50;
  measure.font = AXIS_FONT;
  const widest = Math.max(...values.map((text) => measure?.measureText(text).width ?? 0));
  return Math.ceil(widest + AXIS_TICK_AND_GAP_PX + 4);
}

type ValueFormat = (value: number, step: number) => string;

function chartAxes(sparkline: boolean, counts: boolean, format: ValueFormat): uPlot.Axis[] {
  if (sparkline) return [{ show: false }, { show: false }];
  return [
    { stroke: '#59636e', font: AXIS_FONT, grid: { stroke: '#eef0f3' } },
    {
      stroke: '#59636e',
      font: AXIS_FONT,
      grid: { stroke: '#eef0f3' },
      size: yAxisSize,
      incrs: counts ? [...COUNT_TICK_STEPS] : undefined,
      values: (_u, ticks, _axis, _space, step) => ticks.map((tick) => format(tick, step)),
    },
  ];
}

function chartSeries(series: readonly ChartSeries[], sparkline: boolean): uPlot.Series[] {
  return [
    { label: 'Time' },
    ...series.map((item) => ({
      label: item.label,
      stroke: item.color,
      width: sparkline ? 1.5 : 2,
      // A lone value (one bucket, or between gaps) has no line to draw: show it as a point.
      points: {
        show: false,
        size: sparkline ? 5 : 6,
        fill: item.color,
        filter: () => {
          const lone = isolatedPoints(item.values);
          return lone.length > 0 ? lone : null;
        },
      },
      fill: item.fill ? `${item.color}55` : undefined,
    })),
  ];
}

function chartOptions(
  props: Required<Pick<TimeChartProps, 'x' | 'series' | 'height' | 'sparkline' | 'counts'>>,
  width: number,
  format: ValueFormat,
): uPlot.Options {
  const { x, sparkline, height } = props;
  return {
    width,
    height,
    cursor: sparkline ? { show: false } : { drag: { x: false, y: false } },
    // The legend is HTML below the canvas (ChartLegend), keyed like every other card.
    legend: { show: false },
    select: { show: false, left: 0, top: 0, width: 0, height: 0 },
    padding: sparkline ? SPARKLINE_PADDING : undefined,
    scales: {
      x: {
        time: true,
        // uPlot widens a lone time value by 86400 / 1e-3 seconds (years): centre it instead.
        range: (_u, min, max) =>
          x.length === 1
            ? [min - LONE_BUCKET_MARGIN_SECONDS, min + LONE_BUCKET_MARGIN_SECONDS]
            : [min, max],
      },
      y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] },
    },
    axes: chartAxes(sparkline, props.counts, format),
    series: chartSeries(props.series, sparkline),
  };
}

/** A uPlot time series chart that follows its container's width. */
export function TimeChart({
  x,
  series,
  height = 220,
  sparkline = false,
  label,
  formatValue,
  counts = false,
  legend = series,
}: TimeChartProps) {
  const container = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const format = formatValue ?? ((value: number) => value.toLocaleString('en-US'));
    const options = chartOptions(
      { x, series, height, sparkline, counts },
      Math.max(element.clientWidth, 100),
      format,
    );
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
  }, [x, series, height, sparkline, formatValue, counts]);

  return (
    <div className={sparkline ? 'chart chart--spark' : 'chart'}>
      <div ref={container} role="img" aria-label={label} />
      {!sparkline && <ChartLegend items={legend} />}
    </div>
  );
}
