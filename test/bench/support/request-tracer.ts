// Collects what the delayed stores and the canned upstream report during one request at a time,
// and keeps the applied round-trip time of every store call (traced or not).
import { setTimeout as sleep } from 'node:timers/promises';
import { nextTick, type PortCall } from './delayed-port.ts';
import {
  criticalPathDepth,
  describeSequence,
  type RequestPhases,
  splitPhases,
} from './store-call-phases.ts';

/** One phase of one traced request. */
export interface PhaseSummary {
  /** Sequential round trips (critical-path depth). */
  readonly depth: number;
  /** Port calls made, parallel or not. */
  readonly calls: number;
  /** e.g. `admission.admit` before the provider, `usage.append` after it. */
  readonly sequence: string;
}

/** The store calls of one request, phase by phase. */
export type TracedRequest = Record<keyof RequestPhases<PortCall>, PhaseSummary>;

/** Store calls of one case over its traced requests. */
export type CaseStoreCalls = TracedRequest & {
  /** The traced requests did not all make the same calls (the deepest one is shown). */
  readonly varied: boolean;
  readonly traced: number;
};

/** The traced requests of one case as one: the deepest, flagged when they differed. */
export function mergeTraces(traces: readonly TracedRequest[]): CaseStoreCalls {
  const first = traces[0];
  if (first === undefined) throw new Error('no traced requests');
  const shape = (trace: TracedRequest) =>
    [trace.before, trace.during, trace.after, trace.late].map((phase) => phase.sequence).join('|');
  const depth = (trace: TracedRequest) => trace.before.depth + trace.after.depth;
  const deepest = traces.reduce(
    (worst, trace) => (depth(trace) > depth(worst) ? trace : worst),
    first,
  );
  return { ...deepest, varied: new Set(traces.map(shape)).size > 1, traced: traces.length };
}

function summarizePhase(calls: readonly PortCall[]): PhaseSummary {
  return {
    depth: criticalPathDepth(calls),
    calls: calls.length,
    sequence: describeSequence(calls),
  };
}

interface OpenTrace {
  readonly calls: PortCall[];
  upstreamCalledTick?: number;
  upstreamEndedTick?: number;
}

export class RequestTracer {
  #open: OpenTrace | undefined;
  #roundTrips = 0;
  #delayedMs = 0;
  /** How long the calls still in flight after an invocation may take to report. */
  readonly #lateCallWaitMs: number;

  constructor(options: { lateCallWaitMs: number }) {
    this.#lateCallWaitMs = options.lateCallWaitMs;
  }

  /** Runs `run`; the mean applied round trip of the store calls that replied meanwhile (or 0). */
  async meterRoundTrips<T>(
    run: () => Promise<T>,
  ): Promise<{ result: T; appliedRoundTripMs: number }> {
    const [roundTripsBefore, delayedMsBefore] = [this.#roundTrips, this.#delayedMs];
    const result = await run();
    const roundTrips = this.#roundTrips - roundTripsBefore;
    const appliedRoundTripMs =
      roundTrips === 0 ? 0 : (this.#delayedMs - delayedMsBefore) / roundTrips;
    return { result, appliedRoundTripMs };
  }

  readonly onCall = (call: PortCall): void => {
    this.#roundTrips += call.roundTrips;
    this.#delayedMs += call.durationMs;
    this.#open?.calls.push(call);
  };

  readonly onUpstreamSend = (): void => {
    if (this.#open) this.#open.upstreamCalledTick ??= nextTick();
  };

  readonly onUpstreamBodyEnd = (): void => {
    if (this.#open) this.#open.upstreamEndedTick ??= nextTick();
  };

  /**
   * Runs one invocation alone and sorts its store calls into phases. Waits a little after it
   * settled, so calls it left running (not awaited) report and show up as `late`.
   * @throws Error when the invocation never called the upstream (a refusal, a cache hit).
   */
  async trace(invoke: () => Promise<unknown>): Promise<TracedRequest> {
    if (this.#open) throw new Error('one traced request at a time');
    const open: OpenTrace = { calls: [] };
    this.#open = open;
    try {
      await invoke();
      const settledTick = nextTick();
      await sleep(this.#lateCallWaitMs);
      const { upstreamCalledTick, upstreamEndedTick } = open;
      if (upstreamCalledTick === undefined || upstreamEndedTick === undefined) {
        throw new Error('the traced request did not go upstream and read the answer');
      }
      const phases = splitPhases(open.calls, {
        upstreamCalledTick,
        upstreamEndedTick,
        settledTick,
      });
      return {
        before: summarizePhase(phases.before),
        during: summarizePhase(phases.during),
        after: summarizePhase(phases.after),
        late: summarizePhase(phases.late),
      };
    } finally {
      this.#open = undefined;
    }
  }
}
