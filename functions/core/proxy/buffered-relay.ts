import { UpstreamUnavailableError } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import { PROVIDERS } from '../providers/provider-registry.ts';
import type { UsageObservation } from '../usage/extract-usage.ts';
import { createUsageTap } from '../usage/usage-tap.ts';
import type { UpstreamAnswer } from './open-upstream.ts';
import type { PhaseTimer } from './phase-timer.ts';
import type { Settlement } from './settle-attempt.ts';
import { readWhole } from './upstream-exchange.ts';
import type { AttemptResult, ProxyAttempt } from './usage-recorder.ts';

export interface BufferedRelayDeps {
  readonly clock: Clock;
  /** The provider sending nothing for this long -> 504. */
  readonly idleTimeoutMs: number;
}

/** A whole answer, read and priced before its headers leave. */
export interface BufferedRelay {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
  readonly settlement: Settlement;
}

/** Non-streamed answers are read whole (to validate and price them); beyond this -> 502. */
export const MAX_BUFFERED_RESPONSE_BYTES = 20 * 1024 * 1024;

/**
 * Reads a non-streamed answer (or any error answer, streamed or not) whole, so that its usage
 * and cost are known before the caller sees a byte (the read is timed as `upstreamBody`: it is the
 * provider's time, not Metrion's). The body is returned unchanged.
 * @throws UpstreamUnavailableError (a 2xx Metrion cannot read, too large, broken connection),
 * UpstreamTimeoutError (the body stalled)
 */
export async function relayBuffered(
  deps: BufferedRelayDeps,
  attempt: ProxyAttempt,
  answer: UpstreamAnswer,
  timer: PhaseTimer,
): Promise<BufferedRelay> {
  const tap = createUsageTap({
    wireFormat: answer.usageFormat,
    streamed: false,
    stripUsageOnlyChunk: false,
    maxBodyBytes: MAX_BUFFERED_RESPONSE_BYTES,
  });
  const body = await timer.time('upstreamBody', () =>
    readWhole(answer.body.pipeThrough(tap.transform), {
      idleTimeoutMs: deps.idleTimeoutMs,
      maxBytes: MAX_BUFFERED_RESPONSE_BYTES,
      tooLargeMessage: 'The provider response is larger than Metrion relays. Use stream: true.',
      abortUpstream: answer.abortUpstream,
    }),
  );
  const observation = tap.observation();
  if (answer.succeeded && observation.unparseable) {
    throw new UpstreamUnavailableError(
      `${PROVIDERS[attempt.parsed.provider].displayName} returned a response Metrion could not read. Retry the request.`,
    );
  }
  const contentType = answer.headers['content-type'] ?? 'application/json';
  return {
    status: answer.status,
    headers: answer.headers,
    body,
    settlement: {
      result: bufferedResult(answer, observation, deps.clock.nowMs()),
      cacheable: answer.succeeded ? { status: answer.status, contentType, body } : undefined,
    },
  };
}

function bufferedResult(
  answer: UpstreamAnswer,
  observation: UsageObservation,
  endedAtMs: number,
): AttemptResult {
  return {
    status: answer.status,
    endedAtMs,
    usage: observation.usage,
    model: observation.model,
    serviceTier: observation.serviceTier,
    // A 2xx can still report failure (a Responses API `failed` or `incomplete` response).
    ...(answer.succeeded && observation.providerError === undefined
      ? {}
      : {
          errorSource: 'provider' as const,
          errorMessage: observation.providerError ?? `HTTP ${answer.status}`,
        }),
  };
}
