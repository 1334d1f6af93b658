import type { Clock } from '../ports/clock.ts';
import {
  createUsageAccumulator,
  type UsageAccumulator,
  type UsageFormat,
  type UsageObservation,
} from './extract-usage.ts';
import { createRelayedText, type RelayedText } from './relayed-text.ts';
import { createSseParser } from './sse-parser.ts';

export interface UsageTapOptions {
  /** How the provider frames usage (`PROVIDERS[provider].wireFormat`, or the Responses API). */
  readonly wireFormat: UsageFormat;
  /** True for an SSE body (`stream: true` and a 2xx answer); false for one JSON document. */
  readonly streamed: boolean;
  /**
   * Drop the OpenAI-compatible usage-only chunk (`choices: []` with `usage`) from the output.
   * Set it only when Metrion added `stream_options.include_usage` and the caller did not ask
   * for it. Ignored unless `streamed` and `wireFormat: 'openai'`.
   */
  readonly stripUsageOnlyChunk: boolean;
  /**
   * A non-streamed body larger than this is still passed through but not parsed (its usage is
   * marked unparseable).
   * @default DEFAULT_MAX_BODY_BYTES (16 MiB)
   */
  readonly maxBodyBytes?: number;
  /** When given, `firstChunkAtMs()` reports when the first body byte arrived. */
  readonly clock?: Clock;
}

/** A pass-through stage that reads usage from the bytes flowing through it. */
export interface UsageTap {
  /** Pipe the upstream body through this; it emits every chunk as soon as it arrives. */
  readonly transform: TransformStream<Uint8Array, Uint8Array>;
  /**
   * What has been observed so far. Readable at any time, so usage of a stream that was
   * cancelled midway is still available (with `sawTerminalEvent: false`).
   */
  observation(): UsageObservation;
  /** When the first non-empty chunk arrived; undefined before that or without a clock. */
  firstChunkAtMs(): number | undefined;
  /**
   * Settles with the final observation once the body ended, or was cancelled or aborted.
   * Never rejects. It stays pending while the stream is merely left unread.
   */
  readonly ended: Promise<UsageObservation>;
  /** The output text relayed so far (streams only), to estimate a dropped stream's usage. */
  readonly relayed: RelayedText;
}

/** Largest non-streamed body the tap parses for usage. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * When stripping, one event is held until its blank line arrives. An event larger than this is
 * released early (it can no longer be dropped), so a body that is not SSE is never held whole.
 */
export const MAX_HELD_EVENT_BYTES = 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;

/**
 * Creates a usage tap. Bytes pass through unchanged and without delay: every chunk is
 * enqueued the moment it arrives, then parsed on the side (SSE incrementally; a JSON body is
 * decoded aside and parsed at the end). With `stripUsageOnlyChunk` the output is re-framed at
 * event boundaries instead: each event is emitted byte for byte as soon as its terminating
 * blank line arrives, except the usage-only chunk, which is dropped. A chunk that carries usage
 * next to choices (Mistral, Gemini) is kept.
 */
export function createUsageTap(options: UsageTapOptions): UsageTap {
  const relayed = createRelayedText(options.wireFormat);
  // The relayed text reads the bodies the accumulator parsed: each event is parsed once.
  const accumulator = createUsageAccumulator(options.wireFormat, {
    onEventBody: relayed.addEventBody,
  });
  let firstChunkAtMs: number | undefined;
  let resolveEnded: (observation: UsageObservation) => void = () => undefined;
  const ended = new Promise<UsageObservation>((resolve) => {
    resolveEnded = resolve;
  });
  const finish = (): void => resolveEnded(accumulator.observation());

  const sink = !options.streamed
    ? createJsonSink(accumulator, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES)
    : options.stripUsageOnlyChunk && options.wireFormat === 'openai'
      ? createStrippingSseSink(accumulator)
      : createSseSink(accumulator);

  // `cancel` runs when the reader cancels or the writer aborts (WHATWG Streams; Node 24 calls it);
  // TypeScript's DOM lib does not list it yet, hence the widened type.
  const transformer: Transformer<Uint8Array, Uint8Array> & { cancel(reason: unknown): void } = {
    transform(chunk, controller) {
      if (chunk.byteLength === 0) return;
      firstChunkAtMs ??= options.clock?.nowMs();
      sink.write(chunk, controller);
    },
    flush(controller) {
      sink.end(controller);
      finish();
    },
    cancel() {
      finish();
    },
  };

  return {
    transform: new TransformStream(transformer),
    observation: () => accumulator.observation(),
    firstChunkAtMs: () => firstChunkAtMs,
    ended,
    relayed,
  };
}

type Output = TransformStreamDefaultController<Uint8Array>;

interface Sink {
  write(chunk: Uint8Array, output: Output): void;
  end(output: Output): void;
}

function createJsonSink(accumulator: UsageAccumulator, maxBodyBytes: number): Sink {
  const decoder = new TextDecoder('utf-8');
  let parts: string[] = [];
  let bodyBytes = 0;
  return {
    write(chunk, output) {
      output.enqueue(chunk);
      bodyBytes += chunk.byteLength;
      if (bodyBytes > maxBodyBytes) {
        parts = [];
        return;
      }
      parts.push(decoder.decode(chunk, { stream: true }));
    },
    end() {
      if (bodyBytes > maxBodyBytes) {
        accumulator.markUnparseable();
        return;
      }
      parts.push(decoder.decode());
      accumulator.addJsonBody(parts.join(''));
      parts = [];
    },
  };
}

/** Returns whether the bytes completed a usage-only chunk. */
type EventReader = (bytes: Uint8Array, final: boolean) => boolean;

/**
 * Feeds bytes to the SSE parser and the events to the accumulator; reports whether a
 * usage-only chunk was among them. Usage reading must never break the relay: should the
 * parser ever throw, parsing stops and the usage is marked unparseable.
 */
function createEventReader(accumulator: UsageAccumulator): EventReader {
  const parser = createSseParser();
  let broken = false;
  return (bytes: Uint8Array, final: boolean): boolean => {
    if (broken) return false;
    try {
      const events = parser.push(bytes);
      if (final) events.push(...parser.end());
      let sawUsageOnly = false;
      for (const event of events) {
        if (accumulator.addSseEvent(event) === 'usage-only') sawUsageOnly = true;
      }
      return sawUsageOnly;
    } catch {
      broken = true;
      accumulator.markUnparseable();
      return false;
    }
  };
}

function createSseSink(accumulator: UsageAccumulator): Sink {
  const read = createEventReader(accumulator);
  return {
    write(chunk, output) {
      output.enqueue(chunk);
      read(chunk, false);
    },
    end() {
      read(new Uint8Array(0), true);
    },
  };
}

/**
 * Holds the bytes of the event being framed until its end shows whether it is kept. An event
 * that outgrows MAX_HELD_EVENT_BYTES is released: its start goes out and the rest passes through.
 */
function createHeldEvent(read: EventReader) {
  let held: Uint8Array[] = [];
  let heldBytes = 0;
  /** The current event outgrew MAX_HELD_EVENT_BYTES and its start was already sent. */
  let released = false;

  const takeHeld = (tail: Uint8Array): Uint8Array => {
    const bytes = held.length === 0 ? tail : concat([...held, tail], heldBytes + tail.byteLength);
    held = [];
    heldBytes = 0;
    return bytes;
  };

  return {
    /** Ends the event with `tail`: sends it unless the reader drops it. */
    complete(tail: Uint8Array, output: Output, final: boolean): 'kept' | 'dropped' {
      if (released) {
        released = false;
        if (tail.byteLength > 0) output.enqueue(tail);
        read(tail, final);
        return 'kept';
      }
      const frame = takeHeld(tail);
      if (read(frame, final)) return 'dropped';
      if (frame.byteLength > 0) output.enqueue(frame);
      return 'kept';
    },
    /** Adds bytes of an event whose end has not arrived yet. */
    extend(bytes: Uint8Array, output: Output): void {
      if (released) {
        output.enqueue(bytes);
        read(bytes, false);
        return;
      }
      held.push(bytes);
      heldBytes += bytes.byteLength;
      if (heldBytes > MAX_HELD_EVENT_BYTES) {
        const start = takeHeld(new Uint8Array(0));
        output.enqueue(start);
        read(start, false);
        released = true;
      }
    },
  };
}

/**
 * Frames the bytes into events (a blank line ends one) with the same line-ending rules as the
 * parser, so each frame holds exactly one event's bytes. `\n`, `\r` and `\r\n` are ASCII and
 * never occur inside a UTF-8 sequence, so framing raw bytes is safe.
 */
function createStrippingSseSink(accumulator: UsageAccumulator): Sink {
  const read = createEventReader(accumulator);
  const event = createHeldEvent(read);
  let atLineStart = true;
  let afterCr = false;
  /** Set when a lone `\r` ended a frame: a following `\n` belongs to that frame. */
  let frameEndedByCr: 'kept' | 'dropped' | undefined;

  return {
    write(chunk, output) {
      let frameStart = 0;
      for (let index = 0; index < chunk.length; index += 1) {
        const byte = chunk[index];
        if (afterCr) {
          afterCr = false;
          const endedFrame = frameEndedByCr;
          frameEndedByCr = undefined;
          if (byte === LF) {
            if (endedFrame !== undefined) {
              const lf = chunk.subarray(index, index + 1);
              read(lf, false);
              if (endedFrame === 'kept') output.enqueue(lf);
              frameStart = index + 1;
            }
            continue;
          }
        }
        if (byte !== CR && byte !== LF) {
          atLineStart = false;
          continue;
        }
        afterCr = byte === CR;
        if (!atLineStart) {
          atLineStart = true;
          continue;
        }
        let frameEnd = index + 1;
        if (byte === CR && chunk[frameEnd] === LF) {
          // Keep a \r\n together when both halves are here, so the event goes out in one piece.
          frameEnd += 1;
          afterCr = false;
        }
        const outcome = event.complete(chunk.subarray(frameStart, frameEnd), output, false);
        frameStart = frameEnd;
        index = frameEnd - 1;
        if (afterCr) frameEndedByCr = outcome;
      }
      const rest = chunk.subarray(frameStart);
      if (rest.byteLength > 0) event.extend(rest, output);
    },
    end(output) {
      event.complete(new Uint8Array(0), output, true);
    },
  };
}

function concat(parts: readonly Uint8Array[], byteLength: number): Uint8Array {
  const bytes = new Uint8Array(byteLength);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return bytes;
}
