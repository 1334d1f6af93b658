import type { Logger } from '../ports/logger.ts';
import type { RequestTrace, RequestTraceWriter } from '../ports/request-trace-store.ts';
import type { PriceSource } from '../pricing/live-prices.ts';
import type { PriceCatalog } from '../pricing/price-catalog.ts';
import { buildUsageRecord, type ProxyAttempt, recordRetention } from '../proxy/usage-recorder.ts';
import { approximateInputTokens } from '../usage/estimate-usage.ts';

/** What an interrupted record says in Logs (its `errorMessage`). */
export const INTERRUPTED_MESSAGE =
  'Metrion stopped before this request ended, once it was on its way to the provider, which may have received and billed it. Tokens are estimated: input from the request, output unknown (0).';

/**
 * The status an interrupted record carries: what API Gateway answers when the function dies
 * before its response (a stream already under way was cut instead; the record cannot tell).
 */
export const INTERRUPTED_STATUS = 502;

/**
 * The record a request leaves if Metrion stops before writing its own: status 502 from Metrion,
 * `interrupted` and `estimated`, input tokens approximated from the request, output 0, latency 0
 * (unknown), priced like any record of its model.
 */
export function interruptedRecordTrace(attempt: ProxyAttempt, prices: PriceCatalog): RequestTrace {
  const record = buildUsageRecord(
    attempt,
    {
      status: INTERRUPTED_STATUS,
      endedAtMs: attempt.request.receivedAtMs,
      errorSource: 'metrion',
      errorMessage: INTERRUPTED_MESSAGE,
      usage: {
        inputTokens: approximateInputTokens(attempt.parsed.json),
        outputTokens: 0,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
      },
      estimated: true,
      interrupted: true,
    },
    prices,
  );
  return { record, retention: recordRetention(attempt) };
}

export interface TraceAttemptDeps {
  readonly traces: RequestTraceWriter;
  readonly logger: Logger;
  /**
   * The price version in use, as for the proxy's own record; read without a version check, which
   * would put a store call before the provider's answer.
   */
  readonly prices: Pick<PriceSource, 'inUse'>;
}

/** A trace whose write has been issued. */
export interface IssuedTrace {
  /**
   * Resolves once the trace is stored; rejects with the store's error when it could not be (the
   * request must then not go upstream). Rejecting while nobody awaits it is not an error.
   */
  readonly stored: Promise<void>;
  /**
   * For a request that never went upstream: removes the trace once its write has ended, so no
   * sweep makes a record of it. Never rejects (a failure is logged).
   */
  discard(): Promise<void>;
}

/**
 * Issues the attempt's trace write and returns at once: the caller awaits `stored` before the
 * upstream call, in parallel with the other work on its way there.
 */
export function issueTrace(deps: TraceAttemptDeps, attempt: ProxyAttempt): IssuedTrace {
  const trace = interruptedRecordTrace(attempt, deps.prices.inUse());
  const { requestId } = attempt.request;
  const stored = deps.traces.put(trace);
  stored.catch((error: unknown) => {
    deps.logger.warn('request trace could not be written; the request is not sent upstream', {
      requestId,
      error: error instanceof Error ? error.name : 'unknown',
    });
  });
  return {
    stored,
    async discard() {
      // A delete that overtook the put would leave the trace behind.
      await stored.catch(() => undefined);
      try {
        await deps.traces.discard(trace);
      } catch (error) {
        deps.logger.warn('request trace could not be discarded', {
          requestId,
          error: error instanceof Error ? error.name : 'unknown',
        });
      }
    },
  };
}
