import type { SweepTracesDeps, SweepTracesReport } from '#core/traces/sweep-traces.ts';
import { sweepTraces } from '#core/traces/sweep-traces.ts';

export type SweepTracesHandlerDeps = SweepTracesDeps;

/**
 * The scheduled trace sweeper (every 5 minutes): records the requests whose proxy stopped
 * before writing their record, from their traces (`sweepTraces`). The event carries nothing.
 */
export function createSweepTracesHandler(deps: SweepTracesHandlerDeps) {
  return (): Promise<SweepTracesReport> => sweepTraces(deps);
}
