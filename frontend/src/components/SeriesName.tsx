/** A series' colour as a small square, beside its name. */
export function Swatch({ color }: { readonly color: string }) {
  return <span className="swatch" style={{ background: color }} aria-hidden="true" />;
}

/**
 * A series' name with its colour swatch, as legends, bars and table rows show it, on one line.
 * It carries the series' name and colour as data, so a model can be checked to have one colour
 * everywhere. `series` is the key the charts use when it differs from the shown name (a
 * provider id behind its display name).
 */
export function SeriesName({
  name,
  color,
  series = name,
}: {
  readonly name: string;
  readonly color: string;
  readonly series?: string;
}) {
  return (
    <span className="series-name" data-series={series} data-color={color} title={name}>
      <Swatch color={color} />
      <span className="series-name__text">{name}</span>
    </span>
  );
}
