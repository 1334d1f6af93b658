import type { Clock } from '../ports/clock.ts';
import { sseErrorEvent } from '../providers/error-envelope.ts';
import type { WireFormat } from '../providers/provider-registry.ts';
import { formatSeconds, readWithin } from './read-within.ts';

/** How a relayed stream ended; reported exactly once. */
export interface RelayEnd {
  readonly endedAtMs: number;
  readonly firstByteAtMs?: number;
  /** Set when the upstream failed or stalled mid-stream. */
  readonly failure?: string;
  readonly clientDisconnected: boolean;
}

export interface RelayOptions {
  /** The upstream body, already passed through the usage tap. */
  readonly source: ReadableStream<Uint8Array>;
  readonly wireFormat: WireFormat;
  /** A stream that sends nothing for this long is closed. */
  readonly idleTimeoutMs: number;
  readonly clock: Clock;
  /** Cancels the upstream request (the caller went away, or the upstream stalled). */
  readonly abortUpstream: (reason: string) => void;
  readonly onEnd: (end: RelayEnd) => void;
}

class StreamStalledError extends Error {}

/**
 * Forwards each upstream chunk the moment it arrives (pull-based, no read-ahead). After the
 * status is sent it can no longer change, so an upstream failure or stall mid-stream is relayed
 * as the provider's own SSE error event and the stream is closed cleanly.
 */
export function relayStream(options: RelayOptions): ReadableStream<Uint8Array> {
  const reader = options.source.getReader();
  let firstByteAtMs: number | undefined;
  let ended = false;
  const end = (detail: { failure?: string; clientDisconnected?: boolean }): void => {
    if (ended) return;
    ended = true;
    options.onEnd({
      endedAtMs: options.clock.nowMs(),
      firstByteAtMs,
      failure: detail.failure,
      clientDisconnected: detail.clientDisconnected ?? false,
    });
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await readWithin(
            reader.read(),
            options.idleTimeoutMs,
            () => new StreamStalledError(),
          );
        } catch (error) {
          const failure =
            error instanceof StreamStalledError
              ? `The provider sent nothing for ${formatSeconds(options.idleTimeoutMs)}; Metrion closed the stream. Retry the request.`
              : 'The connection to the provider broke mid-stream. Retry the request.';
          options.abortUpstream(failure);
          reader.cancel().catch(() => undefined);
          controller.enqueue(new TextEncoder().encode(sseErrorEvent(options.wireFormat, failure)));
          controller.close();
          end({ failure });
          return;
        }
        if (result.done) {
          controller.close();
          end({});
          return;
        }
        firstByteAtMs ??= options.clock.nowMs();
        controller.enqueue(result.value);
      },
      cancel() {
        options.abortUpstream('client disconnected');
        reader.cancel().catch(() => undefined);
        end({ clientDisconnected: true });
      },
    },
    { highWaterMark: 0 },
  );
}
