import type { CostsDto, TokensDto } from '#contracts/dashboard-api.ts';
import { colorForName, TOKEN_KIND_COLORS } from './colors.ts';

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

/**
 * Whether a series has a trend to draw: at least two values (nulls are buckets without data).
 * One value alone is a lone dot on an empty axis; it reads better as the number it is.
 */
export function hasTrend(values: readonly (number | null)[]): boolean {
  return values.filter((value) => value !== null).length >= 2;
}

/**
 * Tick steps for axes that count things (requests, tokens, errors): whole numbers only, so a
 * count axis never shows 0.25 of an error. 1, 2, 5, 10, 20, 50, … up to 5e12.
 */
export const COUNT_TICK_STEPS: readonly number[] = Array.from({ length: 13 }, (_, power) =>
  [1, 2, 5].map((step) => step * 10 ** power),
).flat();

/** The largest value of a list (0 when empty), for bar widths. */
export function largest(values: readonly number[]): number {
  return values.reduce((max, value) => Math.max(max, value), 0);
}

/** One series of a stacked chart, before stacking. */
export interface Layer {
  readonly label: string;
  /** Keyed to what the layer is (a model, a token kind), never to its position. */
  readonly color: string;
  readonly values: readonly number[];
}

/** The four token kinds as stacked layers (Overview and Tokens). */
export function tokenLayers(series: TokensDto['series']): Layer[] {
  return [
    { label: 'Input', color: TOKEN_KIND_COLORS.input, values: series.input },
    { label: 'Output', color: TOKEN_KIND_COLORS.output, values: series.output },
    { label: 'Cache read', color: TOKEN_KIND_COLORS.cacheRead, values: series.cacheRead },
    { label: 'Cache write', color: TOKEN_KIND_COLORS.cacheWrite, values: series.cacheWrite },
  ];
}

/** Cost per model as stacked layers (Overview and Costs). */
export function costLayers(byModel: CostsDto['byModel']): Layer[] {
  return byModel.map((item) => ({
    label: item.model,
    color: colorForName(item.model),
    values: moneyPoints(item.series),
  }));
}
