// Renders the side-by-side results as an aligned, Markdown-compatible table with target verdicts.
import type { Percentiles } from './percentiles.ts';

/** The overhead budget from issue 2: added latency of the proxy over a direct call. */
export const TARGET = { addedP50Ms: 2, addedP99Ms: 10 } as const;

/** One measured cell: one case at one concurrency, direct and proxied. */
export interface CellResult {
  readonly caseName: string;
  readonly streaming: boolean;
  readonly concurrency: number;
  readonly direct: SideResult;
  readonly proxied: SideResult;
}

/** One side of a cell: latency to the last byte, to the first body byte, and throughput. */
export interface SideResult {
  readonly total: Percentiles;
  readonly ttfb: Percentiles;
  /** Measured requests over the time their batches took. */
  readonly requestsPerSecond: number;
  /** This process's CPU time per measured request (less sensitive to a busy machine than latency). */
  readonly cpuMsPerRequest: number;
}

/** Added latency (proxied minus direct, per percentile) and the verdict against {@link TARGET}. */
export function overhead(cell: CellResult) {
  const { direct, proxied } = cell;
  const added = {
    p50: proxied.total.p50 - direct.total.p50,
    p95: proxied.total.p95 - direct.total.p95,
    p99: proxied.total.p99 - direct.total.p99,
  };
  const missed = [
    ...(added.p50 > TARGET.addedP50Ms ? ['p50'] : []),
    ...(added.p99 > TARGET.addedP99Ms ? ['p99'] : []),
  ];
  return {
    added,
    ttfb: { p50: proxied.ttfb.p50 - direct.ttfb.p50, p95: proxied.ttfb.p95 - direct.ttfb.p95 },
    ratioP50: proxied.total.p50 / direct.total.p50,
    verdict: missed.length === 0 ? 'PASS' : `MISS ${missed.join('+')}`,
  };
}

const ms = (value: number): string => value.toFixed(2);
const triple = (p: { p50: number; p95: number; p99: number }): string =>
  `${ms(p.p50)} / ${ms(p.p95)} / ${ms(p.p99)}`;

const HEADER = [
  'case',
  'c',
  'n',
  'direct p50/p95/p99',
  'proxied p50/p95/p99',
  'ADDED p50/p95/p99',
  'TTFB+ p50/p95',
  'ratio p50',
  'req/s direct / proxied',
  'CPU/req direct / proxied',
  `target (+p50<=${TARGET.addedP50Ms}, +p99<=${TARGET.addedP99Ms})`,
];

/** The table as lines; latencies in ms, samples per side in `n`. */
export function renderTable(cells: readonly CellResult[]): string[] {
  const rows = cells.map((cell) => {
    const o = overhead(cell);
    return [
      cell.caseName,
      String(cell.concurrency),
      String(cell.proxied.total.count),
      triple(cell.direct.total),
      triple(cell.proxied.total),
      triple(o.added),
      cell.streaming ? `${ms(o.ttfb.p50)} / ${ms(o.ttfb.p95)}` : '-',
      `${o.ratioP50.toFixed(2)}x`,
      `${cell.direct.requestsPerSecond.toFixed(0)} / ${cell.proxied.requestsPerSecond.toFixed(0)}`,
      `${ms(cell.direct.cpuMsPerRequest)} / ${ms(cell.proxied.cpuMsPerRequest)}`,
      o.verdict,
    ];
  });
  const widths = HEADER.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((text, column) => text.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [
    line(HEADER),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...rows.map(line),
  ];
}
