/**
 * One dispatched Server-Sent Event. `event` is absent when the stream named no type (a browser
 * would call it `message`); `data` is the `data:` lines joined with `\n`.
 */
export interface SseEvent {
  readonly event?: string;
  readonly data: string;
}

/** An incremental SSE parser: feed bytes in any chunking, get the same events. */
export interface SseParser {
  /** Parses the next bytes and returns the events completed by them, in order. */
  push(bytes: Uint8Array): SseEvent[];
  /**
   * Ends the stream and returns the last event if the stream stopped before its blank line.
   * The parser is reset and can be reused.
   */
  end(): SseEvent[];
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Creates a parser following the WHATWG "interpreting an event stream" rules: `\n`, `\r\n` and
 * `\r` line endings (a `\r\n` split across chunks counts once), comments, one leading BOM,
 * `field:value` with or without the space, multi-line `data`, and UTF-8 characters split
 * across chunks. It keeps only the current incomplete line and event.
 *
 * One deliberate deviation: `end()` dispatches an event whose final blank line never came
 * (a browser drops it). The provider billed the tokens that event reports, so Metrion counts
 * them rather than lose the last usage chunk of an upstream that closed abruptly.
 */
export function createSseParser(): SseParser {
  let decoder = new TextDecoder('utf-8');
  let pendingLine = '';
  let lastCharWasCr = false;
  let eventType = '';
  let dataLines: string[] = [];

  const dispatch = (out: SseEvent[]): void => {
    if (dataLines.length > 0) {
      const data = dataLines.join('\n');
      out.push(eventType === '' ? { data } : { event: eventType, data });
    }
    eventType = '';
    dataLines = [];
  };

  const processLine = (line: string, out: SseEvent[]): void => {
    if (line === '') {
      dispatch(out);
      return;
    }
    // A comment (`:` first) parses as a field named '', which is ignored like any unknown one.
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') dataLines.push(value);
    else if (field === 'event') eventType = value;
    // `id` and `retry` steer browser reconnection, which a proxy never does.
  };

  const processText = (text: string, out: SseEvent[]): void => {
    let lineStart = 0;
    for (let index = 0; index < text.length; index += 1) {
      const code = text.charCodeAt(index);
      if (code !== LF && code !== CR) {
        lastCharWasCr = false;
        continue;
      }
      if (code === LF && lastCharWasCr) {
        // Second half of a \r\n whose \r ended the previous line.
        lastCharWasCr = false;
        lineStart = index + 1;
        continue;
      }
      lastCharWasCr = code === CR;
      processLine(pendingLine + text.slice(lineStart, index), out);
      pendingLine = '';
      lineStart = index + 1;
    }
    pendingLine += text.slice(lineStart);
  };

  return {
    push(bytes) {
      const out: SseEvent[] = [];
      processText(decoder.decode(bytes, { stream: true }), out);
      return out;
    },
    end() {
      const out: SseEvent[] = [];
      processText(decoder.decode(), out);
      if (pendingLine !== '') processLine(pendingLine, out);
      dispatch(out);
      decoder = new TextDecoder('utf-8');
      pendingLine = '';
      lastCharWasCr = false;
      return out;
    },
  };
}
