import type { MonotonicClock } from '../ports/clock.ts';
import type { RequestTiming } from '../usage/usage-record.ts';

/** A span the proxy times on its way to the answer's headers. */
export type TimedPhase = 'auth' | 'upstreamHeaders' | 'upstreamBody';

/** The time spent waiting on the provider: not Metrion's overhead. */
const UPSTREAM_PHASES: readonly TimedPhase[] = ['upstreamHeaders', 'upstreamBody'];

/** Times one request's phases (see {@link RequestTiming} for what each figure means). */
export interface PhaseTimer {
  /** Runs `work` as `phase`; the span counts even when it throws (a 401 took its auth time). */
  time<T>(phase: TimedPhase, work: () => Promise<T>): Promise<T>;
  /**
   * The figures as the answer's headers are ready. The first call fixes them: later calls return
   * the same object, so the `server-timing` header and the usage record always agree.
   */
  headersReady(): RequestTiming;
}

/** Milliseconds with one decimal, as `server-timing` carries them. */
const tenths = (ms: number): number => Math.round(Math.max(0, ms) * 10) / 10;

/** Starts timing a request that arrived at `receivedAtMonotonicMs` (the clock's monotonic time). */
export function startPhaseTimer(clock: MonotonicClock, receivedAtMonotonicMs: number): PhaseTimer {
  const spans = new Map<TimedPhase, number>();
  let fixed: RequestTiming | undefined;
  return {
    async time(phase, work) {
      const startedAt = clock.monotonicMs();
      try {
        return await work();
      } finally {
        spans.set(phase, (spans.get(phase) ?? 0) + clock.monotonicMs() - startedAt);
      }
    },
    headersReady() {
      fixed ??= timing(spans, clock.monotonicMs() - receivedAtMonotonicMs);
      return fixed;
    },
  };
}

function timing(spans: ReadonlyMap<TimedPhase, number>, totalMs: number): RequestTiming {
  const waited = UPSTREAM_PHASES.reduce((sum, phase) => sum + (spans.get(phase) ?? 0), 0);
  const figure = (phase: TimedPhase, name: keyof RequestTiming) => {
    const span = spans.get(phase);
    return span === undefined ? {} : { [name]: tenths(span) };
  };
  return {
    ...figure('auth', 'authMs'),
    ...figure('upstreamHeaders', 'upstreamHeadersMs'),
    ...figure('upstreamBody', 'upstreamBodyMs'),
    overheadMs: tenths(totalMs - waited),
  };
}
