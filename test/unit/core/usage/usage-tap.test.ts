import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WireFormat } from '#core/providers/provider-registry.ts';
import {
  createUsageTap,
  MAX_HELD_EVENT_BYTES,
  type UsageTapOptions,
} from '#core/usage/usage-tap.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';
import {
  concatBytes,
  cutAt,
  everyTwoWaySplit,
  raw,
  runThrough,
  singleBytes,
  text,
  utf8,
} from './byte-helpers.ts';
import {
  ANTHROPIC_STREAM,
  GEMINI_STREAM,
  JSON_FIXTURES,
  MISTRAL_STREAM,
  OPENAI_JSON,
  OPENAI_STREAM,
  STREAM_FIXTURES,
  type StreamFixture,
  XAI_STREAM,
} from './wire-fixtures.ts';

async function tapAll(options: UsageTapOptions, chunks: readonly Uint8Array[]) {
  const tap = createUsageTap(options);
  const emitted = await runThrough(tap.transform, chunks);
  return { tap, emitted, output: concatBytes(emitted) };
}

/** A writer and reader on a tap, for tests that check what comes out before the end. */
function openTap(options: UsageTapOptions) {
  const tap = createUsageTap(options);
  const writer = tap.transform.writable.getWriter();
  const reader = tap.transform.readable.getReader();
  return { tap, writer, reader };
}

const settledSoon = async (promise: Promise<unknown>): Promise<boolean> => {
  let settled = false;
  void promise.then(() => {
    settled = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 5));
  return settled;
};

describe('createUsageTap on streams, passing through', () => {
  describe.each(STREAM_FIXTURES)('$name', (fixture) => {
    const options = { wireFormat: fixture.wireFormat, streamed: true, stripUsageOnlyChunk: false };
    const bytes = utf8(fixture.body);

    it('emits the input byte for byte and observes the usage', async () => {
      const { tap, output } = await tapAll(options, [bytes]);
      expect(output).toEqual(bytes);
      expect(tap.observation()).toEqual(fixture.expected);
      await expect(tap.ended).resolves.toEqual(fixture.expected);
    });

    it('gives identical bytes and observation when split at every byte boundary', async () => {
      for (const chunks of [...everyTwoWaySplit(bytes), singleBytes(bytes)]) {
        const { tap, emitted } = await tapAll(options, chunks);
        expect(emitted.map(raw)).toEqual(chunks.filter((chunk) => chunk.byteLength > 0).map(raw));
        expect(tap.observation()).toEqual(fixture.expected);
      }
    });
  });

  it('emits every chunk before the next one arrives, even in the middle of an event', async () => {
    const { writer, reader } = openTap({
      wireFormat: 'openai',
      streamed: true,
      stripUsageOnlyChunk: false,
    });
    const body = utf8(OPENAI_STREAM.body);
    for (const chunk of cutAt(body, [5, 17, 200])) {
      const read = reader.read();
      await writer.write(chunk);
      await expect(read).resolves.toEqual({ done: false, value: chunk });
    }
  });

  it('ignores stripUsageOnlyChunk for the Anthropic format (no re-framing)', async () => {
    const chunks = singleBytes(utf8(ANTHROPIC_STREAM.body));
    const { emitted, tap } = await tapAll(
      { wireFormat: 'anthropic', streamed: true, stripUsageOnlyChunk: true },
      chunks,
    );
    expect(emitted.map(raw)).toEqual(chunks.map(raw));
    expect(tap.observation()).toEqual(ANTHROPIC_STREAM.expected);
  });

  it('reads a last event whose blank line never came', async () => {
    const { output, tap } = await tapAll(
      { wireFormat: 'openai', streamed: true, stripUsageOnlyChunk: false },
      [
        utf8(
          'data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4}}\n\ndata: [DONE]',
        ),
      ],
    );
    expect(text(output)).toContain('data: [DONE]');
    expect(tap.observation()).toMatchObject({ sawTerminalEvent: true, unparseable: false });
  });
});

describe('createUsageTap on non-streamed bodies', () => {
  describe.each(JSON_FIXTURES)('$name', (fixture) => {
    const options = { wireFormat: fixture.wireFormat, streamed: false, stripUsageOnlyChunk: false };
    const bytes = utf8(fixture.body);

    it('passes every chunk through unchanged and parses the body at the end, in any split', async () => {
      for (const chunks of [...everyTwoWaySplit(bytes), singleBytes(bytes)]) {
        const { tap, emitted } = await tapAll(options, chunks);
        expect(emitted.map(raw)).toEqual(chunks.filter((chunk) => chunk.byteLength > 0).map(raw));
        expect(tap.observation()).toEqual(fixture.expected);
      }
    });
  });

  it('observes nothing until the body has ended', async () => {
    const { tap, writer, reader } = openTap({
      wireFormat: 'openai',
      streamed: false,
      stripUsageOnlyChunk: true,
    });
    const read = reader.read();
    await writer.write(utf8(OPENAI_JSON.body));
    await read;
    expect(tap.observation()).toMatchObject({ unparseable: false, sawTerminalEvent: false });
    expect(tap.observation().usage.outputTokens).toBe(0);
    const closing = writer.close();
    await reader.read();
    await closing;
    expect(tap.observation()).toEqual(OPENAI_JSON.expected);
  });

  it('passes a body larger than maxBodyBytes through but marks its usage unparseable', async () => {
    const bytes = utf8(OPENAI_JSON.body);
    const { output, tap } = await tapAll(
      {
        wireFormat: 'openai',
        streamed: false,
        stripUsageOnlyChunk: false,
        maxBodyBytes: bytes.byteLength - 1,
      },
      cutAt(bytes, [100]),
    );
    expect(output).toEqual(bytes);
    expect(tap.observation()).toEqual({
      usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
      unparseable: true,
      sawTerminalEvent: false,
    });
  });

  it('marks a body that ends inside a UTF-8 character as unparseable', async () => {
    const bytes = Uint8Array.of(...utf8(OPENAI_JSON.body), 0xc3);
    const { output, tap } = await tapAll(
      { wireFormat: 'openai', streamed: false, stripUsageOnlyChunk: false },
      [bytes],
    );
    expect(output).toEqual(bytes);
    expect(tap.observation().unparseable).toBe(true);
  });

  it('parses a body of exactly maxBodyBytes', async () => {
    const bytes = utf8(OPENAI_JSON.body);
    const { tap } = await tapAll(
      {
        wireFormat: 'openai',
        streamed: false,
        stripUsageOnlyChunk: false,
        maxBodyBytes: bytes.byteLength,
      },
      cutAt(bytes, [100]),
    );
    expect(tap.observation()).toEqual(OPENAI_JSON.expected);
  });
});

describe('createUsageTap stripping the usage-only chunk', () => {
  const withEndings = (fixture: StreamFixture, ending: string) => ({
    body: fixture.body.replaceAll('\n', ending),
    usageOnlyEvent: (fixture.usageOnlyEvent ?? '').replaceAll('\n', ending),
  });

  describe.each([
    ['OpenAI, \\n', OPENAI_STREAM, '\n'],
    ['OpenAI, \\r\\n', OPENAI_STREAM, '\r\n'],
    ['OpenAI, \\r', OPENAI_STREAM, '\r'],
    ['xAI, \\n', XAI_STREAM, '\n'],
  ] as const)('%s', (_name, fixture, ending) => {
    const { body, usageOnlyEvent } = withEndings(fixture, ending);
    const bytes = utf8(body);
    const expected = utf8(body.replace(usageOnlyEvent, ''));

    it('removes exactly the usage-only chunk, in any split, and still reads its usage', async () => {
      expect(usageOnlyEvent).not.toBe('');
      expect(expected.byteLength).toBe(bytes.byteLength - utf8(usageOnlyEvent).byteLength);
      for (const chunks of [...everyTwoWaySplit(bytes), singleBytes(bytes)]) {
        const { tap, output } = await tapAll(
          { wireFormat: 'openai', streamed: true, stripUsageOnlyChunk: true },
          chunks,
        );
        expect(raw(output)).toBe(raw(expected));
        expect(tap.observation()).toEqual(fixture.expected);
      }
    });
  });

  it.each([MISTRAL_STREAM, GEMINI_STREAM])(
    'keeps a chunk that carries usage next to choices ($name)',
    async (fixture) => {
      const bytes = utf8(fixture.body);
      for (const chunks of [[bytes], singleBytes(bytes)]) {
        const { tap, output } = await tapAll(
          { wireFormat: 'openai', streamed: true, stripUsageOnlyChunk: true },
          chunks,
        );
        expect(output).toEqual(bytes);
        expect(tap.observation()).toEqual(fixture.expected);
      }
    },
  );

  it('emits each event, byte for byte, as soon as its blank line arrives', async () => {
    const { writer, reader } = openTap({
      wireFormat: 'openai',
      streamed: true,
      stripUsageOnlyChunk: true,
    });
    // Arrange: a read is waiting, the first event arrives in two pieces.
    const read = reader.read();
    await writer.write(utf8('data: {"choices":[{"delta":{"content":"Hi"}}]}\n'));
    expect(await settledSoon(read)).toBe(false);
    // Act: the blank line completes the event, and the next event has started.
    await writer.write(utf8('\ndata: {"choi'));
    // Assert
    const first = await read;
    expect(text(first.value ?? new Uint8Array())).toBe(
      'data: {"choices":[{"delta":{"content":"Hi"}}]}\n\n',
    );
  });

  it('emits an event ended by \\r\\n\\r\\n as one chunk', async () => {
    const chunks = [utf8(GEMINI_STREAM.body)];
    const { emitted } = await tapAll(
      { wireFormat: 'openai', streamed: true, stripUsageOnlyChunk: true },
      chunks,
    );
    expect(emitted.map(text)).toEqual(GEMINI_STREAM.body.split(/(?<=\r\n\r\n)/));
  });

  it('emits an event ended by a lone \\r at once, and the \\n that follows on its own', async () => {
    const { writer, reader } = openTap({
      wireFormat: 'openai',
      streamed: true,
      stripUsageOnlyChunk: true,
    });
    const first = reader.read();
    await writer.write(utf8('data: {"choices":[]}\r\r'));
    expect(text((await first).value ?? new Uint8Array())).toBe('data: {"choices":[]}\r\r');
    const second = reader.read();
    await writer.write(utf8('\ndata: [DONE]\n\n'));
    expect(text((await second).value ?? new Uint8Array())).toBe('\n');
  });

  it('drops the \\n that completes the \\r\\n of a dropped chunk, even in the next chunk', async () => {
    const usageOnly =
      'data: {"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2}}\r\n\r';
    const { output, tap } = await tapAll(
      { wireFormat: 'openai', streamed: true, stripUsageOnlyChunk: true },
      [utf8(`data: {"choices":[{}]}\r\n\r\n${usageOnly}`), utf8('\ndata: [DONE]\r\n\r\n')],
    );
    expect(text(output)).toBe('data: {"choices":[{}]}\r\n\r\ndata: [DONE]\r\n\r\n');
    expect(tap.observation().usage.outputTokens).toBe(2);
  });

  it('keeps an extra blank line that follows a dropped chunk ended by \\r\\n\\r\\n', async () => {
    const usageOnly = 'data: {"choices":[],"usage":{"completion_tokens":2}}\r\n\r\n';
    const { output } = await tapAll(
      { wireFormat: 'openai', streamed: true, stripUsageOnlyChunk: true },
      [utf8(`${usageOnly}\ndata: [DONE]\n\n`)],
    );
    expect(text(output)).toBe('\ndata: [DONE]\n\n');
  });

  it('drops a usage-only chunk whose blank line never came, and keeps any other unfinished event', async () => {
    const usageOnly = 'data: {"choices":[],"usage":{"prompt_tokens":4,"completion_tokens":5}}\n';
    const dropped = await tapAll(
      { wireFormat: 'openai', streamed: true, stripUsageOnlyChunk: true },
      [utf8(`data: {"choices":[{}]}\n\n${usageOnly}`)],
    );
    expect(text(dropped.output)).toBe('data: {"choices":[{}]}\n\n');
    expect(dropped.tap.observation().usage.outputTokens).toBe(5);

    const kept = await tapAll({ wireFormat: 'openai', streamed: true, stripUsageOnlyChunk: true }, [
      utf8('data: {"choices":[{}]}\n\ndata: [DONE]'),
    ]);
    expect(text(kept.output)).toBe('data: {"choices":[{}]}\n\ndata: [DONE]');
    expect(kept.tap.observation().sawTerminalEvent).toBe(true);
  });

  it('releases an event larger than MAX_HELD_EVENT_BYTES before it ends, unchanged', async () => {
    const { writer, reader } = openTap({
      wireFormat: 'openai',
      streamed: true,
      stripUsageOnlyChunk: true,
    });
    const big = `data: {"choices":[{"delta":{"content":"${'x'.repeat(MAX_HELD_EVENT_BYTES)}"}}]}`;
    const read = reader.read();
    await writer.write(utf8(big));
    const released = await read;
    expect(text(released.value ?? new Uint8Array())).toBe(big);
    // The rest of that event passes at once; the events after it are framed again.
    const more = reader.read();
    await writer.write(utf8('  '));
    expect(text((await more).value ?? new Uint8Array())).toBe('  ');
    const rest = reader.read();
    await writer.write(utf8('\n\ndata: {"choices":[],"usage":{"completion_tokens":3}}\n\n'));
    expect(text((await rest).value ?? new Uint8Array())).toBe('\n\n');
    const end = reader.read();
    await writer.close();
    expect(await end).toEqual({ done: true, value: undefined });
  });
});

describe('createUsageTap when the stream stops early', () => {
  it('keeps the usage read before the reader cancelled, and settles `ended` with it', async () => {
    const { tap, writer, reader } = openTap({
      wireFormat: 'anthropic',
      streamed: true,
      stripUsageOnlyChunk: false,
    });
    const body = ANTHROPIC_STREAM.body;
    const cut = body.indexOf('event: content_block_stop');
    const read = reader.read();
    await writer.write(utf8(body.slice(0, cut)));
    await read;
    // Act: the client goes away mid-stream.
    await reader.cancel('client disconnected');
    const partial = {
      model: ANTHROPIC_STREAM.expected.model,
      serviceTier: 'standard',
      usage: {
        inputTokens: 21,
        outputTokens: 2,
        cacheReadTokens: 12020,
        cacheWriteTokens: 1834,
        cacheWrite5mTokens: 1834,
        cacheWrite1hTokens: 0,
      },
      unparseable: false,
      sawTerminalEvent: false,
    };
    expect(tap.observation()).toEqual(partial);
    await expect(tap.ended).resolves.toEqual(partial);
  });

  it('settles `ended` when the upstream body fails', async () => {
    const { tap, writer } = openTap({
      wireFormat: 'openai',
      streamed: true,
      stripUsageOnlyChunk: true,
    });
    await writer.abort(new Error('socket hang up'));
    await expect(tap.ended).resolves.toMatchObject({ sawTerminalEvent: false });
  });

  it('does not settle `ended` while the stream is still open', async () => {
    const { tap, writer, reader } = openTap({
      wireFormat: 'openai',
      streamed: true,
      stripUsageOnlyChunk: false,
    });
    const read = reader.read();
    await writer.write(utf8('data: {"choices":[]}\n\n'));
    await read;
    expect(await settledSoon(tap.ended)).toBe(false);
  });
});

describe('createUsageTap first chunk time', () => {
  it('reports when the first non-empty chunk arrived, from the clock', async () => {
    const clock = new FakeClock({ startMs: 1_000 });
    const tap = createUsageTap({
      wireFormat: 'openai',
      streamed: true,
      stripUsageOnlyChunk: false,
      clock,
    });
    const writer = tap.transform.writable.getWriter();
    const reader = tap.transform.readable.getReader();
    expect(tap.firstChunkAtMs()).toBeUndefined();
    const read = reader.read();
    clock.advance(100);
    await writer.write(new Uint8Array(0));
    expect(tap.firstChunkAtMs()).toBeUndefined();
    clock.advance(150);
    await writer.write(utf8('data: '));
    await read;
    clock.advance(500);
    const next = reader.read();
    await writer.write(utf8('[DONE]\n\n'));
    await next;
    expect(tap.firstChunkAtMs()).toBe(1_250);
  });

  it('reports nothing without a clock', async () => {
    const { tap } = await tapAll(
      { wireFormat: 'openai', streamed: true, stripUsageOnlyChunk: false },
      [utf8(OPENAI_STREAM.body)],
    );
    expect(tap.firstChunkAtMs()).toBeUndefined();
  });
});

// --- properties ---------------------------------------------------------------------------

const cutFractions = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 10 });
const cutsFor = (length: number, fractions: readonly number[]): number[] =>
  fractions.map((fraction) => Math.floor(fraction * length));

/** One OpenAI-compatible stream event as a server could frame it. */
interface Frame {
  readonly text: string;
  readonly usageOnly: boolean;
}

const lineEnding = fc.constantFrom('\n', '\r\n', '\r');
/** Ends the last line and adds the blank line; after a lone \r, a lone \n would merge into \r\n. */
const terminate = (end: string, blank: string): string =>
  end + (end === '\r' && blank === '\n' ? '\r\n' : blank);
const content = fc.string({ maxLength: 8 });

const frame: fc.Arbitrary<Frame> = fc.oneof(
  fc.tuple(content, lineEnding, lineEnding).map(([delta, end, blank]) => ({
    text: `data: ${JSON.stringify({ model: 'm', choices: [{ delta: { content: delta } }] })}${terminate(end, blank)}`,
    usageOnly: false,
  })),
  fc
    .tuple(fc.nat(1000), fc.nat(1000), lineEnding, lineEnding)
    .map(([prompt, completion, end, blank]) => ({
      text: `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: prompt, completion_tokens: completion } })}${terminate(end, blank)}`,
      usageOnly: true,
    })),
  fc.tuple(fc.nat(1000), lineEnding, lineEnding).map(([prompt, end, blank]) => ({
    text: `data: ${JSON.stringify({ choices: [{ finish_reason: 'stop' }], usage: { prompt_tokens: prompt } })}${terminate(end, blank)}`,
    usageOnly: false,
  })),
  fc.tuple(content, lineEnding, lineEnding).map(([comment, end, blank]) => ({
    text: `:${comment.replace(/[\r\n]/g, '')}${terminate(end, blank)}`,
    usageOnly: false,
  })),
  lineEnding.map((end) => ({ text: `data: [DONE]${end}${end}`, usageOnly: false })),
);

/** After a frame ending in a lone \r, a frame cannot start with \n; none of these does. */
const toBody = (frames: readonly Frame[]): string => frames.map((f) => f.text).join('');

describe('createUsageTap properties', () => {
  it('removes exactly the usage-only frames of any stream, in any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(frame, { maxLength: 8 }),
        cutFractions,
        async (frames, fractions) => {
          const bytes = utf8(toBody(frames));
          const expected = toBody(frames.filter((f) => !f.usageOnly));
          const chunks = cutAt(bytes, cutsFor(bytes.byteLength, fractions));
          const { output } = await tapAll(
            { wireFormat: 'openai', streamed: true, stripUsageOnlyChunk: true },
            chunks,
          );
          expect(text(output)).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  const anyBytes = fc.array(
    fc.oneof(
      fc.integer({ min: 0, max: 255 }),
      fc.constantFrom(0x0a, 0x0d, 0x3a, 0x7b, 0x7d, 0x22, 0xef, 0xbb, 0xbf, 0xf0, 0x9f),
      fc.constantFrom(...utf8('data: {"choices":[],"usage":{}}')),
    ),
    { maxLength: 300 },
  );

  it('never fails on arbitrary bytes and passes them through unchanged unless stripping', async () => {
    await fc.assert(
      fc.asyncProperty(
        anyBytes,
        cutFractions,
        fc.constantFrom<WireFormat>('anthropic', 'openai'),
        fc.boolean(),
        async (values, fractions, wireFormat, streamed) => {
          const bytes = Uint8Array.from(values);
          const chunks = cutAt(bytes, cutsFor(bytes.byteLength, fractions));
          const { output } = await tapAll(
            { wireFormat, streamed, stripUsageOnlyChunk: false },
            chunks,
          );
          expect(output).toEqual(bytes);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never fails when stripping arbitrary bytes, and changes nothing without an empty array', async () => {
    await fc.assert(
      fc.asyncProperty(anyBytes, cutFractions, async (values, fractions) => {
        // A usage-only chunk needs `choices: []`; JSON cannot spell `]` any other way.
        const bytes = Uint8Array.from(values.filter((value) => value !== 0x5d));
        const chunks = cutAt(bytes, cutsFor(bytes.byteLength, fractions));
        const { output } = await tapAll(
          { wireFormat: 'openai', streamed: true, stripUsageOnlyChunk: true },
          chunks,
        );
        expect(output).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });
});
