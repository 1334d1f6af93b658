/** One legend entry: a series' name and its colour. */
export interface LegendItem {
  readonly label: string;
  readonly color: string;
}

/**
 * A chart's legend as HTML: a swatch and a name per series. Each entry carries its series name
 * and colour as data, like the bars, so a model can be checked to have one colour everywhere.
 */
export function ChartLegend({ items }: { readonly items: readonly LegendItem[] }) {
  return (
    <ul className="legend">
      {items.map((item) => (
        <li key={item.label} data-series={item.label} data-color={item.color}>
          <span className="legend__swatch" style={{ background: item.color }} aria-hidden="true" />
          <span className="legend__label" title={item.label}>
            {item.label}
          </span>
        </li>
      ))}
    </ul>
  );
}
