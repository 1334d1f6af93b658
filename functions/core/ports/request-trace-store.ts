import type { UsageRecord } from '../usage/usage-record.ts';
import type { UsageRetention } from './usage-store.ts';

/**
 * What a request the provider may bill leaves behind while it runs: the record to write if
 * Metrion stops before its own record lands (`interrupted`, `estimated`), and that record's
 * retention. Its `record.at` and `record.requestId` are those of the proxy's own record, so
 * both name the same stored record and only one of them can land.
 */
export interface RequestTrace {
  readonly record: UsageRecord;
  readonly retention: UsageRetention;
}

/**
 * The proxy's side: one write per admitted request, landed before its upstream call; a second
 * (a delete) only for a request whose trace was written and that then never went upstream.
 */
export interface RequestTraceWriter {
  /** Stores the trace (a plain put: a request is traced once). */
  put(trace: RequestTrace): Promise<void>;

  /** Removes the trace (nothing happens when it is not stored). */
  discard(trace: RequestTrace): Promise<void>;
}

/** The sweeper's side: traces by age, whether their record exists, and how far it swept. */
export interface RequestTraceSweepStore {
  /** Every trace whose request arrived before this instant has been swept; undefined at first. */
  sweptThroughMs(): Promise<number | undefined>;

  /** Records that every trace whose request arrived before `ms` has been swept. */
  setSweptThrough(ms: number): Promise<void>;

  /**
   * The traces of requests that arrived in `[fromMs, toMs)`, page by page (pages in no
   * particular order, each trace once).
   */
  tracesBetween(fromMs: number, toMs: number): AsyncIterable<readonly RequestTrace[]>;

  /**
   * The traces whose record is not stored. An eventually consistent read: it may name a trace
   * whose record has just landed (the conditional append then finds it), never the reverse.
   */
  withoutRecord(traces: readonly RequestTrace[]): Promise<RequestTrace[]>;
}
