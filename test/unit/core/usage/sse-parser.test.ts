import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSseParser, type SseEvent } from '#core/usage/sse-parser.ts';
import { cutAt, everyTwoWaySplit, singleBytes, utf8 } from './byte-helpers.ts';
import { STREAM_FIXTURES } from './wire-fixtures.ts';

function parseChunks(chunks: readonly Uint8Array[]): SseEvent[] {
  const parser = createSseParser();
  const events = chunks.flatMap((chunk) => parser.push(chunk));
  return [...events, ...parser.end()];
}

const parseText = (...chunks: string[]): SseEvent[] => parseChunks(chunks.map(utf8));

describe('createSseParser', () => {
  it('dispatches an event with its type and data', () => {
    expect(parseText('event: message_stop\ndata: {"type":"message_stop"}\n\n')).toEqual([
      { event: 'message_stop', data: '{"type":"message_stop"}' },
    ]);
  });

  it('leaves the type out when the stream names none', () => {
    expect(parseText('data: [DONE]\n\n')).toEqual([{ data: '[DONE]' }]);
  });

  it('joins multi-line data with \\n', () => {
    expect(parseText('data: first\ndata:\ndata: third\n\n')).toEqual([{ data: 'first\n\nthird' }]);
  });

  it('reads fields without a space after the colon and strips only one space', () => {
    expect(parseText('event:ping\ndata:{"a":1}\n\ndata:  two spaces\n\n')).toEqual([
      { event: 'ping', data: '{"a":1}' },
      { data: ' two spaces' },
    ]);
  });

  it('treats a line without a colon as a field with an empty value', () => {
    expect(parseText('data\n\ndata\ndata\n\n')).toEqual([{ data: '' }, { data: '\n' }]);
  });

  it('ignores comments, id, retry and unknown fields', () => {
    expect(
      parseText(': keep-alive\n:\nid: 7\nretry: 1000\nfoo: bar\ndata: x\n: between\n\n'),
    ).toEqual([{ data: 'x' }]);
  });

  it('does not dispatch an event without data, and forgets its type', () => {
    expect(parseText('event: orphan\n\ndata: after\n\n')).toEqual([{ data: 'after' }]);
  });

  it('keeps only the last event type of an event and resets it after dispatch', () => {
    expect(parseText('event: a\nevent: b\ndata: 1\n\ndata: 2\n\n')).toEqual([
      { event: 'b', data: '1' },
      { data: '2' },
    ]);
  });

  it('gives an empty event field no type', () => {
    expect(parseText('event:\ndata: x\n\n')).toEqual([{ data: 'x' }]);
  });

  it('reads \\n, \\r\\n and \\r line endings alike, mixed in one stream', () => {
    const expected = [{ event: 'a', data: '1\n2' }, { event: 'b', data: '3' }, { data: '4' }];
    expect(parseText('event: a\ndata: 1\ndata: 2\n\nevent: b\ndata: 3\n\ndata: 4\n\n')).toEqual(
      expected,
    );
    expect(
      parseText('event: a\r\ndata: 1\r\ndata: 2\r\n\r\nevent: b\r\ndata: 3\r\n\r\ndata: 4\r\n\r\n'),
    ).toEqual(expected);
    expect(parseText('event: a\rdata: 1\rdata: 2\r\revent: b\rdata: 3\r\rdata: 4\r\r')).toEqual(
      expected,
    );
    expect(
      parseText('event: a\rdata: 1\r\ndata: 2\n\revent: b\r\ndata: 3\n\r\ndata: 4\r\r'),
    ).toEqual(expected);
  });

  it('counts a \\r\\n split across chunks as one line ending, not as a blank line', () => {
    const parser = createSseParser();
    // Arrange + Act: the \r ends the line at once; the \n in the next chunk belongs to it.
    const first = parser.push(utf8('data: a\r'));
    const second = parser.push(utf8('\ndata: b\r'));
    const third = parser.push(utf8('\n\r'));
    const fourth = parser.push(utf8('\n'));
    // Assert: one event with both lines, dispatched by the blank line's \r.
    expect(first).toEqual([]);
    expect(second).toEqual([]);
    expect(third).toEqual([{ data: 'a\nb' }]);
    expect(fourth).toEqual([]);
    expect(parser.end()).toEqual([]);
  });

  it('returns each event from the push that completes it', () => {
    const parser = createSseParser();
    expect(parser.push(utf8('data: one\n'))).toEqual([]);
    expect(parser.push(utf8('\ndata: tw'))).toEqual([{ data: 'one' }]);
    expect(parser.push(utf8('o\n\ndata: three\n\n'))).toEqual([{ data: 'two' }, { data: 'three' }]);
  });

  it('strips one leading BOM, also when it is split across chunks', () => {
    const bom = Uint8Array.of(0xef, 0xbb, 0xbf);
    const body = utf8('data: x\n\n');
    expect(parseChunks([bom, body])).toEqual([{ data: 'x' }]);
    expect(parseChunks([bom.slice(0, 1), bom.slice(1, 2), bom.slice(2), body])).toEqual([
      { data: 'x' },
    ]);
  });

  it('does not strip a BOM that is not at the start of the stream', () => {
    // A later BOM becomes part of the field name, so "\uFEFFdata" is an unknown field.
    expect(parseText('data: x\n\n', '\uFEFFdata: y\n\n')).toEqual([{ data: 'x' }]);
    expect(parseText('data: \uFEFFy\n\n')).toEqual([{ data: '\uFEFFy' }]);
  });

  it('decodes a multibyte character split at every byte', () => {
    const bytes = utf8('data: 👋🏽 Grüße 東京\n\n');
    for (const chunks of [...everyTwoWaySplit(bytes), singleBytes(bytes)]) {
      expect(parseChunks(chunks)).toEqual([{ data: '👋🏽 Grüße 東京' }]);
    }
  });

  it('replaces invalid UTF-8 with U+FFFD instead of throwing', () => {
    const bytes = Uint8Array.of(...utf8('data: a'), 0xff, 0xf0, 0x9f, ...utf8('\n\n'));
    expect(parseChunks([bytes])).toEqual([{ data: 'a\uFFFD\uFFFD' }]);
  });

  it('dispatches at end() an event whose blank line never came', () => {
    const parser = createSseParser();
    expect(parser.push(utf8('data: {"usage":1}\n'))).toEqual([]);
    expect(parser.end()).toEqual([{ data: '{"usage":1}' }]);
  });

  it('reads an unterminated last line at end()', () => {
    expect(parseText('data: a\n\ndata: [DONE]')).toEqual([{ data: 'a' }, { data: '[DONE]' }]);
  });

  it('returns nothing at end() after a cleanly ended stream, and can be reused', () => {
    const parser = createSseParser();
    expect(parser.push(utf8('data: a\n\n'))).toEqual([{ data: 'a' }]);
    expect(parser.end()).toEqual([]);
    expect(parser.push(Uint8Array.of(0xef, 0xbb, 0xbf, ...utf8('data: b\n\n')))).toEqual([
      { data: 'b' },
    ]);
  });

  describe.each(STREAM_FIXTURES)('$name', (fixture) => {
    const bytes = utf8(fixture.body);
    const whole = parseChunks([bytes]);

    it('gives the same events when split at every byte boundary or into single bytes', () => {
      expect(whole.length).toBeGreaterThan(1);
      for (const chunks of everyTwoWaySplit(bytes)) expect(parseChunks(chunks)).toEqual(whole);
      expect(parseChunks(singleBytes(bytes))).toEqual(whole);
    });

    it('returns every event before end()', () => {
      const parser = createSseParser();
      expect(parser.push(bytes)).toEqual(whole);
      expect(parser.end()).toEqual([]);
    });
  });
});

// --- properties ---------------------------------------------------------------------------

interface ModelEvent {
  readonly event?: string;
  readonly dataLines: readonly string[];
}

const lineText = fc.string({ unit: 'binary', maxLength: 12 }).map((s) => s.replace(/[\r\n]/g, ''));
const lineEnding = fc.constantFrom('\n', '\r\n', '\r');

const modelEvent: fc.Arbitrary<ModelEvent> = fc.record(
  {
    event: lineText.filter((name) => name !== ''),
    dataLines: fc.array(lineText, { minLength: 1, maxLength: 3 }),
  },
  { requiredKeys: ['dataLines'] },
);

interface LineStyle {
  readonly ending: string;
  readonly spaceAfterColon: boolean;
  readonly commentBefore?: string;
}

const lineStyle: fc.Arbitrary<LineStyle> = fc.record(
  { ending: lineEnding, spaceAfterColon: fc.boolean(), commentBefore: lineText },
  { requiredKeys: ['ending', 'spaceAfterColon'] },
);

/** Writes the events as a valid stream, varying everything the format lets a server vary. */
function serialize(events: readonly ModelEvent[], styles: readonly LineStyle[], bom: boolean) {
  let out = bom ? '\uFEFF' : '';
  let previousEnding = '\n';
  let styleIndex = 0;
  const nextStyle = (): LineStyle =>
    styles[styleIndex++ % styles.length] ?? { ending: '\n', spaceAfterColon: true };
  const line = (content: string, ending: string): void => {
    // After a lone \r, an empty line ending in \n would merge into \r\n: use \r\n instead.
    const safeEnding =
      content === '' && previousEnding === '\r' && ending === '\n' ? '\r\n' : ending;
    out += content + safeEnding;
    previousEnding = safeEnding;
  };
  const field = (name: string, value: string): void => {
    const style = nextStyle();
    if (style.commentBefore !== undefined) line(`:${style.commentBefore}`, style.ending);
    const space = style.spaceAfterColon || value.startsWith(' ') ? ' ' : '';
    line(`${name}:${space}${value}`, style.ending);
  };
  for (const event of events) {
    if (event.event !== undefined) field('event', event.event);
    for (const data of event.dataLines) field('data', data);
    line('', nextStyle().ending);
  }
  return out;
}

const toSseEvent = (event: ModelEvent): SseEvent => {
  const data = event.dataLines.join('\n');
  return event.event === undefined ? { data } : { event: event.event, data };
};

/** Cut points as fractions of the length, so they fit whatever length the stream has. */
const cutFractions = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 });
const cutsFor = (length: number, fractions: readonly number[]): number[] =>
  fractions.map((fraction) => Math.floor(fraction * length));

const interestingByte = fc.oneof(
  fc.integer({ min: 0, max: 255 }),
  fc.constantFrom(0x0a, 0x0d, 0x3a, 0x20, 0xef, 0xbb, 0xbf, 0xf0, 0x9f, 0xc3),
  fc.constantFrom(...utf8('data:event:')),
);

describe('createSseParser properties', () => {
  it('parses any valid stream, in any chunking, into exactly the events that were written', () => {
    fc.assert(
      fc.property(
        fc.array(modelEvent, { maxLength: 6 }),
        fc.array(lineStyle, { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        cutFractions,
        (events, styles, bom, fractions) => {
          const bytes = utf8(serialize(events, styles, bom));
          const chunks = cutAt(bytes, cutsFor(bytes.byteLength, fractions));
          expect(parseChunks(chunks)).toEqual(events.map(toSseEvent));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary bytes and gives the same events in any chunking', () => {
    fc.assert(
      fc.property(
        fc.array(interestingByte, { maxLength: 200 }),
        cutFractions,
        (values, fractions) => {
          const bytes = Uint8Array.from(values);
          const whole = parseChunks([bytes]);
          const chunks = cutAt(bytes, cutsFor(bytes.byteLength, fractions));
          expect(parseChunks(chunks)).toEqual(whole);
          expect(parseChunks(singleBytes(bytes))).toEqual(whole);
        },
      ),
      { numRuns: 500 },
    );
  });
});
