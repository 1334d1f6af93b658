import type { MetricValues } from '../observability/operational-metrics.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { RequestTrace, RequestTraceSweepStore } from '../ports/request-trace-store.ts';
import type { UsageStore } from '../ports/usage-store.ts';
import { LONGEST_REQUEST_MS, TRACE_LIFETIME_MS, TRACE_SWEEP_GRACE_MS } from './trace-lifetime.ts';

export interface SweepTracesDeps {
  readonly traces: RequestTraceSweepStore;
  /** Where the records go: the same conditional append the proxy's own record uses. */
  readonly usage: Pick<UsageStore, 'append'>;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface SweepTracesOptions {
  /** A trace is swept once its request arrived more than this long ago. @default LONGEST_REQUEST_MS + TRACE_SWEEP_GRACE_MS */
  readonly minAgeMs?: number;
}

export interface SweepTracesReport {
  /** Traces read in this run. */
  readonly traces: number;
  /** Records written from traces (`interrupted`): requests whose own record never landed. */
  readonly interrupted: number;
  /** The request ids of those records, at most {@link LOGGED_REQUEST_IDS} (for the log line). */
  readonly interruptedRequestIds: readonly string[];
  /** Traces whose record could not be written now; the next run tries them again. */
  readonly failed: number;
  /** Every request that arrived before this instant is now swept. */
  readonly sweptThroughMs: number;
}

/** How many interrupted records' request ids a run names (the count has them all). */
export const LOGGED_REQUEST_IDS = 20;

/**
 * Turns the traces of requests that must have ended into records, exactly once. A trace whose
 * record exists (the proxy wrote it) is left alone; for the others the trace's record is appended
 * with the store's conditional put, keyed like the proxy's own record: whichever of the two lands
 * first is the one record, the other finds it and writes nothing. So a run may repeat any part of
 * another (a crash, a retry) without counting twice.
 *
 * The run covers `[sweptThrough, now - minAgeMs)` and then moves `sweptThrough` to its end, or,
 * when some records could not be written, to the earliest such trace, so the next run retries it.
 */
export async function sweepTraces(
  deps: SweepTracesDeps,
  options: SweepTracesOptions = {},
): Promise<SweepTracesReport> {
  const minAgeMs = options.minAgeMs ?? LONGEST_REQUEST_MS + TRACE_SWEEP_GRACE_MS;
  const untilMs = deps.clock.nowMs() - minAgeMs;
  const fromMs = (await deps.traces.sweptThroughMs()) ?? untilMs - TRACE_LIFETIME_MS;
  const counts = { traces: 0, interrupted: 0, failed: 0 };
  const interruptedRequestIds: string[] = [];
  let earliestFailureMs: number | undefined;
  if (fromMs < untilMs) {
    for await (const page of deps.traces.tracesBetween(fromMs, untilMs)) {
      counts.traces += page.length;
      for (const trace of await deps.traces.withoutRecord(page)) {
        const written = await writeRecord(deps, trace);
        if (written === 'appended') {
          counts.interrupted += 1;
          if (interruptedRequestIds.length < LOGGED_REQUEST_IDS) {
            interruptedRequestIds.push(trace.record.requestId);
          }
        }
        if (written !== 'failed') continue;
        counts.failed += 1;
        const atMs = Date.parse(trace.record.at);
        earliestFailureMs = Math.min(earliestFailureMs ?? atMs, atMs);
      }
    }
  }
  const sweptThroughMs = Math.max(fromMs, earliestFailureMs ?? untilMs);
  if (sweptThroughMs > fromMs) await deps.traces.setSweptThrough(sweptThroughMs);
  deps.logger.info('request traces swept', {
    ...counts,
    // Where an operator starts when InterruptedRecords alarms: the requests, then their logs.
    interruptedRequestIds,
    sweptThrough: new Date(sweptThroughMs).toISOString(),
    // The JSON logger publishes it as CloudWatch's embedded metric format; an alarm watches it.
    metrics: { InterruptedRecords: counts.interrupted } satisfies MetricValues,
  });
  return { ...counts, interruptedRequestIds, sweptThroughMs };
}

/** Appends one trace's record; a failure is logged with its key and retried by the next run. */
async function writeRecord(
  deps: SweepTracesDeps,
  trace: RequestTrace,
): Promise<'appended' | 'duplicate' | 'failed'> {
  try {
    return await deps.usage.append(trace.record, trace.retention);
  } catch (error) {
    deps.logger.error('interrupted record could not be written; the next sweep retries it', {
      requestId: trace.record.requestId,
      accountId: trace.record.accountId,
      at: trace.record.at,
      error: error instanceof Error ? error.name : 'unknown',
    });
    return 'failed';
  }
}
