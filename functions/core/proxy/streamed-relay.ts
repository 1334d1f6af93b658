import { createStreamCapture, type StreamCapture } from '../cache/stream-capture.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import { MAX_CACHED_BODY_BYTES } from '../ports/response-cache-store.ts';
import type { TokenCounter } from '../ports/token-counter.ts';
import { estimateUsage } from '../usage/estimate-usage.ts';
import type { TokenUsage } from '../usage/usage-record.ts';
import { createUsageTap, type UsageTap } from '../usage/usage-tap.ts';
import { MAX_BUFFERED_RESPONSE_BYTES } from './buffered-relay.ts';
import type { UpstreamAnswer } from './open-upstream.ts';
import { type RelayEnd, relayStream } from './relay-stream.ts';
import type { Settlement } from './settle-attempt.ts';
import type { ProxyAttempt } from './usage-recorder.ts';

export interface StreamedRelayDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** A stream that sends nothing for this long is closed and recorded. */
  readonly idleTimeoutMs: number;
  /** Counts the tokens of a stream the client left before the provider reported usage. */
  readonly tokenCounter: TokenCounter;
}

/** A live stream: its headers leave now, its record and cache material once it ends. */
export interface StreamedRelay {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: ReadableStream<Uint8Array>;
  /** Resolves once the stream ended (finished, failed or left by the client). Never rejects. */
  readonly settlement: Promise<Settlement>;
}

/** A streamed answer is rebuilt for the cache only up to this many streamed bytes. */
const MAX_CAPTURED_STREAM_BYTES = 8 * MAX_CACHED_BODY_BYTES;

/**
 * Relays a 2xx stream event by event while the usage tap reads it; with `capture` the answer is
 * also rebuilt as the provider's JSON for the cache (from the bytes BEFORE the tap hides any).
 */
export function relayStreamed(
  deps: StreamedRelayDeps,
  attempt: ProxyAttempt,
  answer: UpstreamAnswer,
  options: { readonly capture: boolean },
): StreamedRelay {
  const tap = createUsageTap({
    wireFormat: answer.usageFormat,
    streamed: true,
    stripUsageOnlyChunk: answer.stripUsageOnlyChunk,
    maxBodyBytes: MAX_BUFFERED_RESPONSE_BYTES,
  });
  const capture = options.capture
    ? createStreamCapture(attempt.parsed.wireFormat, MAX_CAPTURED_STREAM_BYTES)
    : undefined;
  const source = capture ? answer.body.pipeThrough(capture.transform) : answer.body;
  let settle: (settlement: Promise<Settlement>) => void = () => undefined;
  const settlement = new Promise<Settlement>((resolve) => {
    settle = resolve;
  });
  const body = relayStream({
    source: source.pipeThrough(tap.transform),
    wireFormat: attempt.parsed.wireFormat,
    idleTimeoutMs: deps.idleTimeoutMs,
    clock: deps.clock,
    abortUpstream: answer.abortUpstream,
    onEnd: (end) => settle(streamSettlement(deps, attempt, answer, { tap, capture, end })),
  });
  return { status: answer.status, headers: answer.headers, body, settlement };
}

/** What the stream's end tells: the record (estimated when the client left early) and the cache. */
async function streamSettlement(
  deps: StreamedRelayDeps,
  attempt: ProxyAttempt,
  answer: UpstreamAnswer,
  ended: { readonly tap: UsageTap; readonly capture?: StreamCapture; readonly end: RelayEnd },
): Promise<Settlement> {
  const { tap, capture, end } = ended;
  const observation = tap.observation();
  const cutOff = end.failure !== undefined || end.clientDisconnected;
  const rebuilt = cutOff ? undefined : capture?.result();
  const estimate = end.clientDisconnected && !tap.relayed.usageReported();
  const estimated = await usageOf(deps, estimate, {
    requestJson: attempt.parsed.json,
    observed: observation.usage,
    relayedText: estimate ? tap.relayed.text() : '',
  });
  const errorMessage = streamErrorMessage(end, observation);
  return {
    result: {
      status: answer.status,
      endedAtMs: end.endedAtMs,
      usage: estimated ?? observation.usage,
      estimated: estimated !== undefined,
      model: observation.model,
      serviceTier: observation.serviceTier,
      firstByteAtMs: end.firstByteAtMs,
      errorMessage,
      errorSource: errorMessage === undefined ? undefined : cutOff ? 'metrion' : 'provider',
    },
    ...(rebuilt === undefined
      ? {}
      : { cacheable: { status: answer.status, contentType: 'application/json', body: rebuilt } }),
  };
}

/** The status went out with the first byte; what went wrong after it is told here. */
function streamErrorMessage(
  end: RelayEnd,
  observation: ReturnType<UsageTap['observation']>,
): string | undefined {
  return (
    end.failure ??
    observation.providerError ??
    (end.clientDisconnected ? 'Client disconnected before the stream ended.' : undefined) ??
    (observation.unparseable
      ? 'The provider sent stream events Metrion could not read; usage may be incomplete.'
      : undefined)
  );
}

/**
 * The estimated usage of a stream the client left before the provider reported it; undefined
 * when not estimating, or when counting failed (then what the provider reported is recorded).
 */
async function usageOf(
  deps: StreamedRelayDeps,
  estimate: boolean,
  input: Parameters<typeof estimateUsage>[1],
): Promise<TokenUsage | undefined> {
  if (!estimate) return undefined;
  try {
    return await estimateUsage(deps.tokenCounter, input);
  } catch (error) {
    deps.logger.warn('usage estimate failed', {
      error: error instanceof Error ? error.name : 'unknown',
    });
    return undefined;
  }
}
