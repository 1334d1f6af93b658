/**
 * A series' name with its colour swatch, as the charts' legends show it (a model in a table row,
 * say), on one line. `series` is the key the charts use when it differs from the shown name (a
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
      <span className="legend__swatch" style={{ background: color }} aria-hidden="true" />
      <span className="series-name__text">{name}</span>
    </span>
  );
}
