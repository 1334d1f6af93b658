// Pure reading of one request's recorded store calls: which phase each call belongs to, how many
// round trips deep each phase is, and a one-line picture of the sequence for the report.
import type { PortCall } from './delayed-port.ts';

/** The parts of a call the phase arithmetic reads. */
export type CallInterval = Pick<PortCall, 'name' | 'startTick' | 'endTick' | 'roundTrips'>;

/** Ticks ({@link nextTick} positions) that bound one request's phases. */
export interface RequestMarks {
  /** The proxy called the UpstreamClient (the provider is about to see the request). */
  readonly upstreamCalledTick: number;
  /** The proxy read past the upstream body's last byte. */
  readonly upstreamEndedTick: number;
  /** The handler's invocation ended (`settled` awaited): the Lambda stops being billed. */
  readonly settledTick: number;
}

export interface RequestPhases<TCall extends CallInterval> {
  /** Started before the upstream call: every one delays the provider. */
  readonly before: TCall[];
  /** Started while the upstream exchange was under way. */
  readonly during: TCall[];
  /** Started after the upstream body ended, before the invocation settled (billed time). */
  readonly after: TCall[];
  /** Started after the invocation settled: work the handler does not wait for. */
  readonly late: TCall[];
}

/** Sorts each call into its phase by the tick it started at. */
export function splitPhases<TCall extends CallInterval>(
  calls: readonly TCall[],
  marks: RequestMarks,
): RequestPhases<TCall> {
  const phases: RequestPhases<TCall> = { before: [], during: [], after: [], late: [] };
  for (const call of calls) {
    if (call.startTick < marks.upstreamCalledTick) phases.before.push(call);
    else if (call.startTick < marks.upstreamEndedTick) phases.during.push(call);
    else if (call.startTick < marks.settledTick) phases.after.push(call);
    else phases.late.push(call);
  }
  return phases;
}

/** Whether `first` replied before `second` was started (so `second` waited for it). */
const precedes = (first: CallInterval, second: CallInterval): boolean =>
  first.endTick < second.startTick;

/**
 * Sequential round trips on the critical path: the heaviest chain of calls each started after
 * the previous one replied, each call weighing its round trips. Calls that overlap can never
 * be in one chain, so parallel calls count once.
 */
export function criticalPathDepth(calls: readonly CallInterval[]): number {
  const byEnd = [...calls].sort((a, b) => a.endTick - b.endTick);
  const deepestEndingAt: number[] = [];
  let deepest = 0;
  byEnd.forEach((call, index) => {
    let before = 0;
    for (let earlier = 0; earlier < index; earlier += 1) {
      const candidate = byEnd[earlier] as CallInterval;
      if (precedes(candidate, call)) before = Math.max(before, deepestEndingAt[earlier] ?? 0);
    }
    deepestEndingAt[index] = before + call.roundTrips;
    deepest = Math.max(deepest, before + call.roundTrips);
  });
  return deepest;
}

function label(call: CallInterval): string {
  return call.roundTrips === 1 ? call.name : `${call.name} [${call.roundTrips} round trips]`;
}

/**
 * The calls in start order as `a -> b x2 -> (c | d)`: calls that overlap are shown together in
 * parentheses, and a step repeated back to back is written once with its count.
 */
export function describeSequence(calls: readonly CallInterval[]): string {
  if (calls.length === 0) return '(none)';
  const byStart = [...calls].sort((a, b) => a.startTick - b.startTick);
  const steps: string[] = [];
  let group: CallInterval[] = [];
  let groupEndTick = Number.NEGATIVE_INFINITY;
  const closeGroup = () => {
    if (group.length === 0) return;
    steps.push(
      group.length === 1 ? label(group[0] as CallInterval) : `(${group.map(label).join(' | ')})`,
    );
  };
  for (const call of byStart) {
    if (call.startTick > groupEndTick) {
      closeGroup();
      group = [];
    }
    group.push(call);
    groupEndTick = Math.max(groupEndTick, call.endTick);
  }
  closeGroup();

  const collapsed: { step: string; times: number }[] = [];
  for (const step of steps) {
    const previous = collapsed.at(-1);
    if (previous?.step === step) previous.times += 1;
    else collapsed.push({ step, times: 1 });
  }
  return collapsed
    .map(({ step, times }) => (times === 1 ? step : `${step} x${times}`))
    .join(' -> ');
}
