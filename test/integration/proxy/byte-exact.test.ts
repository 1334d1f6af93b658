import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalMetrion, startLocalMetrion } from '#local/local-metrion.ts';

// Upstream answers with deliberately odd but valid bytes: unusual spacing and key order,
// multi-byte UTF-8 split across writes, CRLF line endings, SSE comments.
const JSON_ANSWER = Buffer.from(
  '{ "usage":{"prompt_tokens":3 ,"completion_tokens":2,"total_tokens":5},\n  "id":"chatcmpl-x","object":"chat.completion",' +
    '"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"Grüße 🚀"},"finish_reason":"stop"}] }',
);
const SSE_ANSWER = Buffer.from(
  ': keep-alive\r\n\r\n' +
    'data: {"id":"c","object":"chat.completion.chunk","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"content":"Grü"}}]}\r\n\r\n' +
    'data: {"id":"c","object":"chat.completion.chunk","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"content":"ße 🚀"},"finish_reason":"stop"}]}\r\n\r\n' +
    'data: {"id":"c","object":"chat.completion.chunk","model":"gpt-4o-mini-2024-07-18","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}\r\n\r\n' +
    'data: [DONE]\r\n\r\n',
);

/** Writes `bytes` in small pieces that cut through multi-byte characters. */
function writeInPieces(response: import('node:http').ServerResponse, bytes: Buffer): void {
  for (let offset = 0; offset < bytes.length; offset += 7)
    response.write(bytes.subarray(offset, offset + 7));
  response.end();
}

let upstream: Server;
let metrion: LocalMetrion;
let metrionKey: string;

beforeAll(async () => {
  upstream = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const streamed = JSON.parse(body).stream === true;
      response.writeHead(200, {
        'content-type': streamed ? 'text/event-stream' : 'application/json',
      });
      writeInPieces(response, streamed ? SSE_ANSWER : JSON_ANSWER);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  metrion = await startLocalMetrion({
    upstreamOrigins: { openai: origin },
    logWrite: () => undefined,
  });
  const created = await metrion.data.accountService.createAccount({ email: 'bytes@example.com' });
  metrionKey = created.metrionKey;
  await metrion.data.accountService.putProviderKey(
    created.account.accountId,
    'openai',
    'sk-bytes-0123456789abcdefghij',
  );
});

afterAll(async () => {
  await metrion?.close();
  await new Promise((resolve) => upstream?.close(resolve));
});

async function proxied(body: unknown): Promise<Buffer> {
  const response = await fetch(`${metrion.url}/api/proxy/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${metrionKey}` },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

describe('byte-for-byte pass-through', () => {
  it('returns a JSON answer exactly as the upstream sent it', async () => {
    const received = await proxied({ model: 'gpt-4o-mini', messages: [] });
    expect(received.equals(JSON_ANSWER)).toBe(true);
  });

  it('returns an SSE stream exactly as the upstream sent it when the caller asked for usage', async () => {
    const received = await proxied({
      model: 'gpt-4o-mini',
      messages: [],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(received.toString('utf8')).toBe(SSE_ANSWER.toString('utf8'));
    expect(received.equals(SSE_ANSWER)).toBe(true);
  });
});
