import { type ComponentProps, useMemo } from 'react';
import { type Layer, stackSeries } from '../../lib/chart-data.ts';
import { TimeChart } from './TimeChart.tsx';

/** A time chart of stacked layers: each series is drawn as its own filled band. */
export function StackedChart({
  layers,
  ...chart
}: { readonly layers: readonly Layer[] } & Omit<
  ComponentProps<typeof TimeChart>,
  'series' | 'legend'
>) {
  const series = useMemo(() => {
    const stacked = stackSeries(layers.map((layer) => layer.values));
    // Drawn from the top layer down so each band stays visible.
    return layers
      .map((layer, index) => ({
        label: layer.label,
        color: layer.color,
        values: stacked[index] ?? [],
        fill: true,
      }))
      .reverse();
  }, [layers]);
  return <TimeChart series={series} legend={layers} {...chart} />;
}
