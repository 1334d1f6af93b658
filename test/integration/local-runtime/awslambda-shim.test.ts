import { describe, expect, it } from 'vitest';
import { LambdaResponseStream } from '#local/api-gateway-response-stream.ts';
import {
  HTTP_INTEGRATION_CONTENT_TYPE,
  isStreamingHandler,
  streamingHighWaterMark,
} from '#local/awslambda-shim.ts';

function capture(): { stream: LambdaResponseStream; bytes: () => Buffer; ended: Promise<void> } {
  const chunks: Buffer[] = [];
  const { promise, resolve } = Promise.withResolvers<void>();
  const stream = new LambdaResponseStream({
    write: (chunk, done) => {
      chunks.push(chunk);
      done();
    },
    end: () => resolve(),
  });
  return { stream, bytes: () => Buffer.concat(chunks), ended: promise };
}

describe('awslambda shim', () => {
  it('marks streamified handlers the way the runtime does, with the optional high-water mark', () => {
    const plain = async () => {};
    const streamed = awslambda.streamifyResponse(async () => {}, { highWaterMark: 1024 });

    expect(isStreamingHandler(plain)).toBe(false);
    expect(isStreamingHandler(streamed)).toBe(true);
    expect(streamed[Symbol.for('aws.lambda.runtime.handler.streaming') as never]).toBe('response');
    expect(isStreamingHandler(streamed) && streamingHighWaterMark(streamed)).toBe(1024);
  });

  it('writes the JSON prelude, 8 NUL bytes, then the body, under the integration content type', async () => {
    const { stream, bytes, ended } = capture();
    const prelude = { statusCode: 200, headers: { 'Content-Type': 'text/plain' }, cookies: [] };

    const wrapped = awslambda.HttpResponseStream.from(stream, prelude);
    wrapped.write('');
    wrapped.write(Buffer.from([0x00, 0xff]));
    wrapped.end('tail');
    await ended;

    expect(stream.contentType).toBe(HTTP_INTEGRATION_CONTENT_TYPE);
    expect(bytes()).toEqual(
      Buffer.concat([
        Buffer.from(JSON.stringify(prelude)),
        Buffer.alloc(8),
        Buffer.from([0x00, 0xff]),
        Buffer.from('tail'),
      ]),
    );
  });

  it('refuses a content type change after the first write, and writes objects as JSON', async () => {
    const { stream, bytes, ended } = capture();

    stream.write({ a: 1 });
    stream.end();
    await ended;

    expect(() => stream.setContentType('text/plain')).toThrow(/too late/);
    expect(bytes().toString()).toBe('{"a":1}');
  });
});
