// The handler bench's results as text: the verdicts against issue 13's targets, the per-case
// table and the store calls of each phase (the JSON is handler-report-json.ts).

import type { Percentiles } from './percentiles.ts';
import type { CaseStoreCalls, PhaseSummary } from './request-tracer.ts';
import type { UsageItemSizes } from './usage-item.ts';

/** Issue 13, part 5: the hot path's budget. Latency targets assume a 5 ms store round trip. */
export const HANDLER_TARGETS = {
  storeRoundTripsBefore: 1,
  storeRoundTripsAfter: 1,
  addedP50MsAtC1: 7,
  addedP99MsAtC1: 12,
  handlerCpuMsPerRequest: 1,
  roundTripMs: 5,
} as const;

/** One side of a comparison, over its measured requests. */
export interface SideResult {
  readonly total: Percentiles;
  readonly ttfb: Percentiles;
  readonly billed: Percentiles;
  readonly billedMeanMs: number;
  /** Process CPU (user + system) while the side's batches ran, per request. */
  readonly cpuMsPerRequest: number;
}

/** The same requests sent directly to the upstream and through the handler. */
export interface Comparison {
  readonly concurrency: number;
  /** With delayed stores: the mean time a store round trip really took (timers run late). */
  readonly appliedRoundTripMs?: number;
  readonly direct: SideResult;
  readonly proxied: SideResult;
}

export interface CaseResult {
  readonly name: string;
  readonly streaming: boolean;
  /** (a) In-memory stores, c=1. */
  readonly inMemory: Comparison;
  /** (b) Every store round trip delayed, c=1 and c=10. */
  readonly delayed: readonly Comparison[];
  /** Store calls per phase (the traced requests agreed unless `varied`). */
  readonly storeCalls: CaseStoreCalls;
  readonly usageItem: UsageItemSizes;
}

export interface RunFacts {
  readonly command: string;
  readonly quick: boolean;
  readonly machine: readonly string[];
  /** Store round trip asked for. */
  readonly roundTripMs: number;
  readonly logBytesPerRequest: number;
  readonly usageRecordsOk: boolean;
}

/** Added latency to the last byte (and to the first), proxied minus direct, per percentile. */
export function added(comparison: Comparison) {
  const { direct, proxied } = comparison;
  return {
    p50: proxied.total.p50 - direct.total.p50,
    p99: proxied.total.p99 - direct.total.p99,
    ttfbP50: proxied.ttfb.p50 - direct.ttfb.p50,
  };
}

/** CPU the handler adds per request: the proxied side's minus the direct side's. */
export function handlerCpuMs(comparison: Comparison): number {
  return comparison.proxied.cpuMsPerRequest - comparison.direct.cpuMsPerRequest;
}

/** The worst (largest) of some figures; NaN when there are none. */
export const worst = (values: readonly number[]): number =>
  values.length === 0 ? Number.NaN : Math.max(...values);

/**
 * The c=1 added p50 had every round trip taken exactly `roundTripMs`: timers fire late on a busy
 * machine, and each sequential call before the provider carries that lateness into the figure.
 */
export function addedP50AtAskedRtt(result: CaseResult, facts: RunFacts): number {
  const comparison = delayedAt(result, 1);
  if (comparison?.appliedRoundTripMs === undefined) return Number.NaN;
  const overshootMs = comparison.appliedRoundTripMs - facts.roundTripMs;
  return added(comparison).p50 - result.storeCalls.before.depth * overshootMs;
}

export function delayedAt(result: CaseResult, concurrency: number): Comparison | undefined {
  return result.delayed.find((comparison) => comparison.concurrency === concurrency);
}

export interface Verdict {
  readonly name: string;
  readonly target: string;
  readonly measured: number;
  readonly limit: number;
  readonly unit: string;
}

export function verdicts(cases: readonly CaseResult[], facts: RunFacts): Verdict[] {
  const atC1 = cases.flatMap((result) => {
    const comparison = delayedAt(result, 1);
    return comparison ? [added(comparison)] : [];
  });
  const rtt = `${facts.roundTripMs} ms store RTT, c=1`;
  return [
    {
      name: 'store round trips before the provider',
      target: `<= ${HANDLER_TARGETS.storeRoundTripsBefore}`,
      measured: worst(cases.map((result) => result.storeCalls.before.depth)),
      limit: HANDLER_TARGETS.storeRoundTripsBefore,
      unit: '',
    },
    {
      name: 'store round trips after the last byte',
      target: `<= ${HANDLER_TARGETS.storeRoundTripsAfter}`,
      measured: worst(cases.map((result) => result.storeCalls.after.depth)),
      limit: HANDLER_TARGETS.storeRoundTripsAfter,
      unit: '',
    },
    {
      name: `added p50 (${rtt})`,
      target: `<= ${HANDLER_TARGETS.addedP50MsAtC1} ms`,
      measured: worst(atC1.map((value) => value.p50)),
      limit: HANDLER_TARGETS.addedP50MsAtC1,
      unit: ' ms',
    },
    {
      name: `added p99 (${rtt})`,
      target: `<= ${HANDLER_TARGETS.addedP99MsAtC1} ms`,
      measured: worst(atC1.map((value) => value.p99)),
      limit: HANDLER_TARGETS.addedP99MsAtC1,
      unit: ' ms',
    },
    {
      name: 'handler CPU per request (in-memory, proxied - direct)',
      target: `<= ${HANDLER_TARGETS.handlerCpuMsPerRequest} ms`,
      measured: worst(cases.map((result) => handlerCpuMs(result.inMemory))),
      limit: HANDLER_TARGETS.handlerCpuMsPerRequest,
      unit: ' ms',
    },
  ];
}

const ms = (value: number): string => value.toFixed(2);
const pair = (first: number, second: number): string => `${ms(first)} / ${ms(second)}`;

function renderRows(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((text, column) => text.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...rows.map(line),
  ];
}

/** Issue 13's targets beside the worst case of the run, MET or MISSED (by how much). */
export function renderTargets(cases: readonly CaseResult[], facts: RunFacts): string[] {
  const rows = verdicts(cases, facts).map((verdict) => {
    const met = verdict.measured <= verdict.limit;
    const shown = verdict.unit === '' ? String(verdict.measured) : ms(verdict.measured);
    const over =
      verdict.unit === ''
        ? String(verdict.measured - verdict.limit)
        : ms(verdict.measured - verdict.limit);
    return [
      verdict.name,
      verdict.target,
      `${shown}${verdict.unit}`,
      met ? 'MET' : `MISSED by ${over}${verdict.unit}`,
    ];
  });
  const table = renderRows(
    ['target (issue 13, worst case of the run)', 'issue', 'measured', 'verdict'],
    rows,
  );
  return facts.roundTripMs === HANDLER_TARGETS.roundTripMs
    ? table
    : [
        ...table,
        `(the latency targets assume a ${HANDLER_TARGETS.roundTripMs} ms round trip; this run used ${facts.roundTripMs} ms)`,
      ];
}

function delayedCell(result: CaseResult, concurrency: number): string {
  const comparison = delayedAt(result, concurrency);
  if (comparison === undefined) return '-';
  const value = added(comparison);
  return pair(value.p50, value.p99);
}

/** One row per case: latency, CPU, billed time, store calls, item size. */
export function renderCases(cases: readonly CaseResult[], facts: RunFacts): string[] {
  const rows = cases.map((result) => {
    const inMemory = added(result.inMemory);
    const delayedC1 = delayedAt(result, 1);
    return [
      result.name,
      pair(inMemory.p50, inMemory.p99),
      result.streaming ? ms(inMemory.ttfbP50) : '-',
      `${ms(handlerCpuMs(result.inMemory))} (${ms(result.inMemory.proxied.cpuMsPerRequest)})`,
      delayedCell(result, 1),
      delayedCell(result, 10),
      `${ms(delayedC1?.appliedRoundTripMs ?? Number.NaN)} / ${ms(delayedAt(result, 10)?.appliedRoundTripMs ?? Number.NaN)}`,
      pair(
        result.inMemory.proxied.billedMeanMs,
        delayedC1 === undefined ? Number.NaN : delayedC1.proxied.billedMeanMs,
      ),
      `${result.storeCalls.before.depth} / ${result.storeCalls.after.depth}${result.storeCalls.varied ? ' (varied)' : ''}`,
      `${result.usageItem.dynamoBytes.mean.toFixed(0)} (${result.usageItem.jsonBytes.mean.toFixed(0)})`,
    ];
  });
  return renderRows(
    [
      'case',
      'in-memory ADDED p50/p99',
      'TTFB+ p50',
      'CPU/req added (proxied)',
      `RTT ${facts.roundTripMs} ms c=1 ADDED p50/p99`,
      'c=10 ADDED p50/p99',
      'RTT applied c=1 / c=10',
      'billed mean in-mem / RTT',
      'round trips before / after',
      'usage item B (JSON B)',
    ],
    rows,
  );
}

function phaseLine(label: string, phase: PhaseSummary): string {
  return `    ${label}: ${phase.sequence}  [${phase.depth} sequential, ${phase.calls} calls]`;
}

/** The store calls of each case, phase by phase, e.g. `before: a -> b x2`. */
export function renderSequences(cases: readonly CaseResult[]): string[] {
  return cases.flatMap((result) => {
    const { storeCalls } = result;
    return [
      `  ${result.name} (${storeCalls.traced} traced requests${storeCalls.varied ? ', NOT all alike: worst shown' : ''}):`,
      phaseLine('before the provider', storeCalls.before),
      ...(storeCalls.during.calls > 0 ? [phaseLine('during the exchange', storeCalls.during)] : []),
      phaseLine('after the last byte', storeCalls.after),
      ...(storeCalls.late.calls > 0
        ? [phaseLine('not awaited (after the invocation)', storeCalls.late)]
        : []),
    ];
  });
}

/** How late the timers ran, and the c=1 added p50 without that lateness (an estimate). */
export function renderOvershootNote(cases: readonly CaseResult[], facts: RunFacts): string[] {
  const atAsked = worst(cases.map((result) => addedP50AtAskedRtt(result, facts)));
  const applied = worst(
    cases.map((result) => delayedAt(result, 1)?.appliedRoundTripMs ?? Number.NaN),
  );
  return [
    `Store round trips took up to ${ms(applied)} ms at c=1 for ${facts.roundTripMs} ms asked (timers fire late on a busy machine). ` +
      `Had each taken exactly ${facts.roundTripMs} ms, the c=1 added p50 would be about ${ms(atAsked)} ms ` +
      `(measured minus calls before the provider x overshoot; target <= ${HANDLER_TARGETS.addedP50MsAtC1} ms).`,
  ];
}
