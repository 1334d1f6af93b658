import type { CostsDto, TokensDto } from '#contracts/dashboard-api.ts';

/**
 * Chart-ready numbers from Dashboard API series (plotting only: figures shown as text are
 * formatted from the exact strings in format.ts).
 */

/** Bucket starts (ISO) as Unix seconds, uPlot's x values. */
export function bucketSeconds(buckets: readonly string[]): number[] {
  return buckets.map((iso) => Date.parse(iso) / 1000);
}

/** Decimal money strings as numbers for drawing. */
export function moneyPoints(series: readonly string[]): number[] {
  return series.map(Number);
}

/**
 * Stacked layers: layer i is the sum of series 0..i at each bucket, so areas drawn from the top
 * layer down show each series as its own band.
 */
export function stackSeries(series: readonly (readonly number[])[]): number[][] {
  const stacked: number[][] = [];
  for (const [index, values] of series.entries()) {
    const below = stacked[index - 1];
    stacked.push(values.map((value, at) => value + (below?.[at] ?? 0)));
  }
  return stacked;
}

/**
 * Indices of values with nothing to connect to (both neighbours missing or null): a line draws
 * nothing there, so such values are drawn as points. A one-bucket series is a single point.
 */
export function isolatedPoints(values: readonly (number | null)[]): number[] {
  const missing = (index: number) => (values[index] ?? null) === null;
  return values.flatMap((value, index) =>
    value !== null && missing(index - 1) && missing(index + 1) ? [index] : [],
  );
}

/** The largest value of a list (0 when empty), for bar widths. */
export function largest(values: readonly number[]): number {
  return values.reduce((max, value) => Math.max(max, value), 0);
}

/** Distinct colours for series, in order. */
export const SERIES_COLORS = [
  '#3346d3',
  '#0e9384',
  '#dc6803',
  '#7a5af8',
  '#c11574',
  '#4e5ba6',
  '#667085',
] as const;

export function seriesColor(index: number): string {
  return SERIES_COLORS[index % SERIES_COLORS.length] ?? '#667085';
}

/** Green for successes, orange for client errors, red for server errors and p99. */
export const STATUS_COLORS = { ok: '#12b76a', clientError: '#f79009', error: '#d92d20' } as const;

/** One series of a stacked chart, before stacking. */
export interface Layer {
  readonly label: string;
  readonly values: readonly number[];
}

/** The four token kinds as stacked layers (Overview and Tokens). */
export function tokenLayers(series: TokensDto['series']): Layer[] {
  return [
    { label: 'Input', values: series.input },
    { label: 'Output', values: series.output },
    { label: 'Cache read', values: series.cacheRead },
    { label: 'Cache write', values: series.cacheWrite },
  ];
}

/** Cost per model as stacked layers (Overview and Costs). */
export function costLayers(byModel: CostsDto['byModel']): Layer[] {
  return byModel.map((item) => ({ label: item.model, values: moneyPoints(item.series) }));
}
