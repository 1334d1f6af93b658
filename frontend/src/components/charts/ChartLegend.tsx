import { SeriesName } from '../SeriesName.tsx';

/** One legend entry: a series' name and its colour. */
export interface LegendItem {
  readonly label: string;
  readonly color: string;
}

/** A chart's legend as HTML, each series named as everywhere else (`SeriesName`). */
export function ChartLegend({ items }: { readonly items: readonly LegendItem[] }) {
  return (
    <ul className="legend">
      {items.map((item) => (
        <li key={item.label}>
          <SeriesName name={item.label} color={item.color} />
        </li>
      ))}
    </ul>
  );
}
