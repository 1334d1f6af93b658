import { request as httpRequest } from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PROXY_BODY_BYTES } from '#core/proxy/parse-proxy-request.ts';
import { startFakeOpenAi } from '../../fixtures/fake-openai-server.ts';
import type { FakeUpstream } from '../../fixtures/fake-upstream-scenarios.ts';
import { type ProxyStack, startProxyStack } from '../support/proxy-stack.ts';

let stack: ProxyStack;
let evil: FakeUpstream;
let evilHost: string;

beforeAll(async () => {
  [stack, evil] = await Promise.all([startProxyStack(), startFakeOpenAi()]);
  evilHost = new URL(evil.origin).host;
});
afterAll(async () => {
  await Promise.all([stack?.close(), evil?.close()]);
});

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

/** One request with the path and headers exactly as given (no URL normalisation by a client). */
function raw(options: {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}): Promise<RawResponse> {
  const target = new URL(stack.metrion.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: options.method ?? 'POST',
        path: options.path,
        headers: { 'content-type': 'application/json', ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const OPENAI_PATH = '/api/proxy/openai/v1/chat/completions';
const ANTHROPIC_PATH = '/api/proxy/v1/messages';
const auth = () => ({ authorization: `Bearer ${stack.metrionKey}` });
const openAiEnvelope = (type: string, message: RegExp) => ({
  error: { message: expect.stringMatching(message), type, code: expect.any(String) },
});
const anthropicEnvelope = (type: string, message: RegExp) => ({
  type: 'error',
  error: { type, message: expect.stringMatching(message) },
});

describe('request validation, in each SDK envelope, before anything reaches a provider', () => {
  let upstreamBefore: number;
  let recordsBefore: number;
  beforeAll(async () => {
    upstreamBefore = stack.openai.requests.length + stack.anthropic.requests.length;
    recordsBefore = (await stack.settledRecords()).length;
  });

  it.each([
    ['not JSON', '{"model":', /not valid JSON/],
    ['not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), /not valid JSON/],
    ['a JSON array', '[]', /must be a JSON object/],
    ['without model', '{"messages":[],"max_tokens":8}', /`model` is required/],
    ['with an empty model', '{"model":" ","messages":[],"max_tokens":8}', /`model` is required/],
    ['without messages', '{"model":"m","max_tokens":8}', /`messages` is required/],
    [
      'with messages not an array',
      '{"model":"m","messages":{},"max_tokens":8}',
      /`messages` is required/,
    ],
  ])('answers a body %s with 400 on OpenAI and Anthropic routes', async (_label, body, message) => {
    const openai = await raw({ path: OPENAI_PATH, headers: auth(), body });
    const anthropic = await raw({ path: ANTHROPIC_PATH, headers: auth(), body });

    expect(openai.status).toBe(400);
    expect(JSON.parse(openai.text)).toEqual(openAiEnvelope('invalid_request_error', message));
    expect(anthropic.status).toBe(400);
    expect(JSON.parse(anthropic.text)).toEqual(anthropicEnvelope('invalid_request_error', message));
  });

  it('requires max_tokens on Anthropic routes only, and the SDKs raise BadRequestError', async () => {
    const anthropicFailure = await new Anthropic({
      apiKey: stack.metrionKey,
      baseURL: stack.metrion.proxyBaseUrls.anthropic,
      maxRetries: 0,
    }).messages
      .create({
        model: 'claude-haiku-4-5',
        messages: [],
      } as unknown as Anthropic.MessageCreateParamsNonStreaming)
      .catch((error: unknown) => error);
    const openAiFailure = await new OpenAI({
      apiKey: stack.metrionKey,
      baseURL: stack.metrion.proxyBaseUrls.openai,
      maxRetries: 0,
    }).chat.completions
      .create({ messages: [] } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .catch((error: unknown) => error);

    expect(anthropicFailure).toBeInstanceOf(Anthropic.BadRequestError);
    expect((anthropicFailure as Error).message).toContain('`max_tokens` is required');
    expect(openAiFailure).toBeInstanceOf(OpenAI.BadRequestError);
    expect((openAiFailure as Error).message).toContain('`model` is required');
  });

  it('answers a body over the proxy limit with 413 in the provider envelope', async () => {
    const body = JSON.stringify({
      model: 'm',
      messages: [],
      pad: 'x'.repeat(MAX_PROXY_BODY_BYTES),
    });

    const openai = await raw({ path: OPENAI_PATH, headers: auth(), body });
    const anthropic = await raw({ path: ANTHROPIC_PATH, headers: auth(), body });

    expect(openai.status).toBe(413);
    expect(JSON.parse(openai.text)).toEqual(openAiEnvelope('request_too_large', /at most 5242880/));
    expect(anthropic.status).toBe(413);
    expect(JSON.parse(anthropic.text)).toEqual(anthropicEnvelope('request_too_large', /at most/));
  });

  it.each([
    ['/api/proxy/cohere/v1/chat/completions', /proxies no provider named "cohere"/],
    ['/api/proxy/openai/v2/chat/completions', /\/api\/proxy\/openai\/v2 is not a base URL/],
  ])('answers %s, a wrong base URL, with 404 that lists the base URLs', async (path, why) => {
    const response = await raw({ path, headers: auth(), body: '{"model":"m","messages":[]}' });

    expect(response.status).toBe(404);
    expect(JSON.parse(response.text)).toEqual(openAiEnvelope('not_found_error', why));
    expect(response.text).toContain("Set your SDK's base URL to /api/proxy for Anthropic");
  });

  it.each([
    ['/api/proxy/mistral/v1/responses', /^Mistral has no Responses API endpoint through Metrion/],
    ['/api/proxy/openai/v1/files', /^Metrion does not proxy \/api\/proxy\/openai\/v1\/files/],
    ['/api/proxy/v1/complete', /^Metrion does not proxy \/api\/proxy\/v1\/complete/],
    ['/api/proxy/mistral/v1', /^\/api\/proxy\/mistral\/v1 is Mistral's base URL, not an endpoint/],
  ])('answers %s, a right base URL, with 404 that lists what it serves', async (path, what) => {
    const response = await raw({ path, headers: auth(), body: '{"model":"m","messages":[]}' });

    expect(response.status).toBe(404);
    const { message } = JSON.parse(response.text).error;
    expect(message).toMatch(what);
    expect(message).toMatch(/serves (POST|GET) \//);
    expect(message).not.toContain('Set your SDK');
  });

  it.each(['GET', 'PUT', 'DELETE', 'PATCH'])(
    'answers %s on a proxy route with 405',
    async (method) => {
      const openai = await raw({ method, path: OPENAI_PATH, headers: auth() });
      const anthropic = await raw({ method, path: ANTHROPIC_PATH, headers: auth() });

      expect(openai.status).toBe(405);
      expect(JSON.parse(openai.text)).toEqual(
        openAiEnvelope('invalid_request_error', /send a POST/),
      );
      expect(anthropic.status).toBe(405);
      expect(JSON.parse(anthropic.text).type).toBe('error');
    },
  );

  it('called no provider, and gave each refusal a Logs row from Metrion at cost 0', async () => {
    // 14 bodies, 2 SDK calls, 2 oversize, 6 unknown paths, 8 wrong methods: all with a valid key.
    const records = await stack.waitForRecords(recordsBefore + 32);

    expect(stack.openai.requests.length + stack.anthropic.requests.length).toBe(upstreamBefore);
    const refusals = records.slice(0, 32);
    expect(new Set(refusals.map((record) => record.status))).toEqual(new Set([400, 404, 405, 413]));
    for (const record of refusals) {
      expect(record).toMatchObject({ errorSource: 'metrion', costPicoUsd: 0n, mode: 'stored' });
      expect(record.errorMessage).toEqual(expect.any(String));
    }
  });
});

describe('a request can never steer the upstream host', () => {
  const chatBody = JSON.stringify({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'hi' }],
  });

  it.each([
    '/api/proxy//EVIL/v1/chat/completions',
    '/api/proxy/openai//EVIL/v1/chat/completions',
    '/api/proxy/\\\\EVIL/v1/chat/completions',
    '/api/proxy/openai/v1/chat/completions/..%2F..%2FEVIL',
    '/api/proxy/%2F%2FEVIL/v1/chat/completions',
    '/api/proxy/openai/v1/chat/completions@EVIL',
    'http://EVIL/api/proxy/openai/v1/chat/completions',
    'http://EVIL/v1/chat/completions',
  ])('refuses the path %s (EVIL = another host)', async (path) => {
    const response = await raw({
      path: path.replace('EVIL', evilHost),
      headers: auth(),
      body: chatBody,
    });
    expect([403, 404]).toContain(response.status);
  });

  it('ignores Host, X-Forwarded-Host, Forwarded and body fields that name another host', async () => {
    stack.openai.setScenario({ kind: 'ok' });
    const before = stack.openai.requests.length;
    const response = await raw({
      path: OPENAI_PATH,
      headers: {
        ...auth(),
        host: evilHost,
        'x-forwarded-host': evilHost,
        'x-forwarded-proto': 'http',
        forwarded: `host=${evilHost};proto=http`,
        'x-original-url': `http://${evilHost}/v1/chat/completions`,
      },
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
        base_url: evil.origin,
        url: `${evil.origin}/v1/chat/completions`,
      }),
    });

    expect(response.status).toBe(200);
    const received = stack.openai.requests.slice(before);
    expect(received).toHaveLength(1);
    expect(received[0]?.path).toBe('/v1/chat/completions');
    expect(received[0]?.headers.host).toBe(new URL(stack.openai.origin).host);
    expect(received[0]?.headers['x-forwarded-host']).toBeUndefined();
  });

  it('never called the other host', () => {
    expect(evil.requests).toEqual([]);
  });
});
