import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { MonotonicClock } from '#core/ports/clock.ts';
import type { Logger } from '#core/ports/logger.ts';
import type { WireFormat } from '#core/providers/provider-registry.ts';
import { startPhaseTimer } from '#core/proxy/phase-timer.ts';
import type { FailedOutcome } from '#core/proxy/proxy-service.ts';
import { serverTimingHeader } from '#core/proxy/server-timing.ts';
import { errorLogFields } from '../error-log-fields.ts';

/** When a request arrived: wall time, and the monotonic time its phase timing starts from. */
export interface Arrival {
  readonly atMs: number;
  readonly monotonicMs: number;
}

/** The proxy handler's context: its arrival, handed over middy's way (values set on the context). */
export interface ProxyContext extends Context {
  arrival: Arrival;
}

/** What the proxy handler returns: a response, and the promise of its record. */
export interface ProxyHandlerResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: ReadableStream<Uint8Array> | string;
  /** Resolves once the request's record is written; absent when there is none (a preflight). */
  readonly settled?: Promise<void>;
}

/** Thrown by the proxy handler for a failed outcome, so {@link proxyRequestState} keeps its details. */
export class ProxyFailure extends Error {
  readonly outcome: FailedOutcome;

  constructor(outcome: FailedOutcome) {
    super(outcome.error.message, { cause: outcome.error });
    this.name = 'ProxyFailure';
    this.outcome = outcome;
  }
}

/** The proxy's per-request state, on middy's `request.internal`. */
export type ProxyInternal = {
  arrival?: Arrival;
  /** How the failure is answered: its envelope (unknown outside the core) and headers. */
  failure?: {
    readonly wireFormat: WireFormat | undefined;
    readonly headers: Record<string, string>;
  };
  /** Writes the request's record, given the status it was answered with. */
  settle?: (status: number) => Promise<void>;
};

type ProxyRequest = Request<
  APIGatewayProxyEvent,
  ProxyHandlerResponse,
  unknown,
  ProxyContext,
  ProxyInternal
>;

/**
 * The proxy's request state, one concern: it stamps the arrival (first, so `server-timing`
 * counts body decoding), moves the record's settlement off the response (`after`) or off a
 * {@link ProxyFailure} (`onError`, which also leaves the failure's envelope and headers for
 * `httpErrorHandler` and unwraps the MetrionError it answers). Use it after `httpErrorHandler`,
 * so its `onError` runs first.
 */
export function proxyRequestState(
  clock: MonotonicClock,
): MiddlewareObj<APIGatewayProxyEvent, ProxyHandlerResponse, unknown, ProxyContext, ProxyInternal> {
  return {
    before: (request) => {
      const arrival = { monotonicMs: clock.monotonicMs(), atMs: clock.nowMs() };
      request.internal.arrival = arrival;
      request.context.arrival = arrival;
    },
    after: (request) => {
      if (!request.response) return;
      const { settled, ...response } = request.response;
      if (settled !== undefined) request.internal.settle = () => settled;
      request.response = response;
    },
    onError: (request) => {
      const { error, internal } = request;
      if (error instanceof ProxyFailure) {
        const { outcome } = error;
        internal.failure = { wireFormat: outcome.wireFormat, headers: outcome.headers };
        internal.settle = (status) => outcome.settle(status);
        request.error = outcome.error;
        return;
      }
      // A failure outside the core (which never rejects) says at least Metrion's time.
      internal.failure = {
        wireFormat: undefined,
        headers:
          internal.arrival === undefined
            ? {}
            : serverTimingHeader(
                startPhaseTimer(clock, internal.arrival.monotonicMs).headersReady(),
              ),
      };
    },
  };
}

/**
 * middy's `requestEnd` for the proxy: once the answer's last byte has left, the record is
 * written with the status the answer carried, so it never delays the caller while the
 * invocation stays alive until it is written.
 */
export function settleAfterAnswer(logger: Logger): (request: Request) => Promise<void> {
  return async (request) => {
    const { event, internal, response } = request as unknown as ProxyRequest;
    try {
      await internal.settle?.(response?.statusCode ?? 500);
    } catch (error) {
      // Settlements log their own failures; one that still throws must not fail the invocation
      // after its answer was sent.
      logger.error('request record failed', {
        requestId: event.requestContext.requestId,
        error: errorLogFields(error),
      });
    }
  };
}
