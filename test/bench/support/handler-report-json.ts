// The handler bench's figures as JSON (test-artifacts/bench/proxy-handler.json), for `npm run cost`
// and anyone comparing runs: the worst case of the run in `summary`, every case in `cases`.

import {
  added,
  addedP50AtAskedRtt,
  type CaseResult,
  type Comparison,
  delayedAt,
  handlerCpuMs,
  type RunFacts,
  type SideResult,
  verdicts,
  worst,
} from './handler-report.ts';
import type { Percentiles } from './percentiles.ts';

const percentiles = (value: Percentiles) => ({ p50: value.p50, p95: value.p95, p99: value.p99 });

function sideJson(side: SideResult) {
  return {
    totalMs: percentiles(side.total),
    ttfbMs: percentiles(side.ttfb),
    billedMs: { ...percentiles(side.billed), mean: side.billedMeanMs },
    cpuMsPerRequest: side.cpuMsPerRequest,
    requests: side.total.count,
  };
}

function comparisonJson(comparison: Comparison) {
  return {
    concurrency: comparison.concurrency,
    ...(comparison.appliedRoundTripMs === undefined
      ? {}
      : { appliedRoundTripMs: comparison.appliedRoundTripMs }),
    addedMs: added(comparison),
    handlerCpuMsPerRequest: handlerCpuMs(comparison),
    direct: sideJson(comparison.direct),
    proxied: sideJson(comparison.proxied),
  };
}

/** What `npm run cost` reads: the worst case of the run in `summary`, every case in `cases`. */
export function reportJson(cases: readonly CaseResult[], facts: RunFacts) {
  const addedAt = (concurrency: number) => {
    const values = cases.flatMap((result) => {
      const comparison = delayedAt(result, concurrency);
      return comparison ? [added(comparison)] : [];
    });
    return values.length === 0
      ? null
      : {
          p50: worst(values.map((value) => value.p50)),
          p99: worst(values.map((value) => value.p99)),
        };
  };
  const inMemory = cases.map((result) => added(result.inMemory));
  return {
    generatedAt: new Date().toISOString(),
    command: facts.command,
    quick: facts.quick,
    machine: facts.machine,
    usageRecordsOk: facts.usageRecordsOk,
    summary: {
      of: 'worst case over the cases (max)',
      storeRoundTripMs: facts.roundTripMs,
      appliedRoundTripMsAtC1: worst(
        cases.map((result) => delayedAt(result, 1)?.appliedRoundTripMs ?? Number.NaN),
      ),
      storeCallsBeforeUpstream: worst(cases.map((result) => result.storeCalls.before.depth)),
      storeCallsAfterLastByte: worst(cases.map((result) => result.storeCalls.after.depth)),
      handlerCpuMsPerRequest: worst(cases.map((result) => handlerCpuMs(result.inMemory))),
      proxiedCpuMsPerRequest: worst(cases.map((result) => result.inMemory.proxied.cpuMsPerRequest)),
      addedMs: {
        inMemory: {
          p50: worst(inMemory.map((value) => value.p50)),
          p99: worst(inMemory.map((value) => value.p99)),
        },
        withRoundTripC1: addedAt(1),
        /** Estimate: c=1 added p50 with each round trip taking exactly `storeRoundTripMs`. */
        withRoundTripC1P50AtAskedRtt: worst(
          cases.map((result) => addedP50AtAskedRtt(result, facts)),
        ),
        withRoundTripC10: addedAt(10),
      },
      billedMeanMsPerRequest: {
        inMemory: worst(cases.map((result) => result.inMemory.proxied.billedMeanMs)),
        withRoundTripC1: worst(
          cases.map((result) => delayedAt(result, 1)?.proxied.billedMeanMs ?? Number.NaN),
        ),
      },
      usageItemBytes: {
        dynamo: worst(cases.map((result) => result.usageItem.dynamoBytes.max)),
        json: worst(cases.map((result) => result.usageItem.jsonBytes.max)),
      },
      logBytesPerRequest: facts.logBytesPerRequest,
      targets: verdicts(cases, facts).map((verdict) => ({
        name: verdict.name,
        limit: verdict.limit,
        measured: verdict.measured,
        met: verdict.measured <= verdict.limit,
      })),
    },
    cases: cases.map((result) => ({
      name: result.name,
      streaming: result.streaming,
      storeCalls: result.storeCalls,
      usageItem: result.usageItem,
      inMemory: comparisonJson(result.inMemory),
      withRoundTrip: result.delayed.map(comparisonJson),
    })),
  };
}
