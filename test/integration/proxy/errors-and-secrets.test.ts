import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_ANTHROPIC_API_KEY } from '../../fixtures/fake-anthropic-server.ts';
import {
  FAKE_GEMINI_API_KEY,
  FAKE_MISTRAL_API_KEY,
  FAKE_XAI_API_KEY,
} from '../../fixtures/fake-openai-compatible-servers.ts';
import { FAKE_OPENAI_API_KEY } from '../../fixtures/fake-openai-server.ts';
import { type ProxyStack, startProxyStack } from '../support/proxy-stack.ts';

let stack: ProxyStack;
const responseTexts: string[] = [];

beforeAll(async () => {
  stack = await startProxyStack();
});
afterAll(async () => {
  await stack?.close();
});

async function post(
  path: string,
  init: { headers?: Record<string, string>; body?: string; method?: string },
) {
  const response = await fetch(`${stack.metrion.url}${path}`, {
    method: init.method ?? 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: init.body,
  });
  const text = await response.text();
  responseTexts.push(text);
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}

const OPENAI_PATH = '/api/proxy/openai/v1/chat/completions';
const chatBody = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'hi' }],
});

describe('proxy errors', () => {
  it('answers a wrong Metrion Key with 401 in the OpenAI envelope, without calling upstream or recording', async () => {
    const upstreamCalls = stack.openai.requests.length;
    const client = new OpenAI({
      apiKey: 'sk-metrion-ffffffffffffffffffffffffffffffff',
      baseURL: stack.metrion.proxyBaseUrls.openai,
      maxRetries: 0,
    });
    const failure = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((failure as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe(
      'invalid_api_key',
    );
    expect(stack.openai.requests.length).toBe(upstreamCalls);
    expect(await stack.records()).toHaveLength(0);
  });

  it('answers a missing credential with 401 that says what to send', async () => {
    const response = await post(OPENAI_PATH, { body: chatBody });
    expect(response.status).toBe(401);
    expect(response.json()).toEqual({
      error: {
        message: expect.stringContaining('No API key sent'),
        type: 'authentication_error',
        code: 'invalid_api_key',
      },
    });
  });

  it('requires x-metrion-token in pass-through mode', async () => {
    const response = await post(OPENAI_PATH, {
      body: chatBody,
      headers: { authorization: `Bearer ${FAKE_OPENAI_API_KEY}` },
    });
    expect(response.status).toBe(401);
    expect(response.json().error.message).toContain('x-metrion-token');
  });

  it('says where to add the missing provider key and how pass-through works, and records it at cost 0', async () => {
    const before = (await stack.settledRecords()).length;
    const response = await post('/api/proxy/mistral/v1/chat/completions', {
      body: JSON.stringify({ model: 'mistral-small-latest', messages: [] }),
      headers: { authorization: `Bearer ${stack.metrionKey}` },
    });
    expect(response.status).toBe(401);
    expect(response.json().error).toEqual({
      message:
        'No Mistral key is saved in Metrion for this account. Add your Mistral key on Integrate (/integrate) and keep sending your Metrion Key as the API key; or use pass-through mode: your own Mistral key as the API key and your Metrion Key in the x-metrion-token header.',
      type: 'authentication_error',
      code: 'missing_provider_key',
    });
    const [record] = await stack.waitForRecords(before + 1);
    expect(record).toMatchObject({
      provider: 'mistral',
      status: 401,
      errorSource: 'metrion',
      model: 'mistral-small-latest',
      costPicoUsd: 0n,
    });
  });

  it('answers malformed JSON with 400 in the Anthropic envelope on Anthropic routes', async () => {
    const response = await post('/api/proxy/v1/messages', {
      body: '{"model":',
      headers: { 'x-api-key': stack.metrionKey },
    });
    expect(response.status).toBe(400);
    expect(response.json()).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: expect.stringContaining('not valid JSON') },
    });
  });

  it('answers unknown paths with 404 and wrong methods with 405, in the provider envelope', async () => {
    const notFound = await post('/api/proxy/openai/v1/files', {
      body: chatBody,
      headers: { authorization: `Bearer ${stack.metrionKey}` },
    });
    expect(notFound.status).toBe(404);
    expect(notFound.json().error.type).toBe('not_found_error');
    const wrongMethod = await post(OPENAI_PATH, {
      method: 'GET',
      headers: { authorization: `Bearer ${stack.metrionKey}` },
    });
    expect(wrongMethod.status).toBe(405);
  });

  it('answers an upstream that resets the connection with 502 and records it', async () => {
    stack.openai.setScenario({ kind: 'reset' });
    const before = (await stack.settledRecords()).length;
    const response = await post(OPENAI_PATH, {
      body: chatBody,
      headers: { authorization: `Bearer ${stack.metrionKey}` },
    });
    stack.openai.setScenario({ kind: 'ok' });
    expect(response.status).toBe(502);
    expect(response.json().error.message).toContain('Retry');
    const [record] = await stack.waitForRecords(before + 1);
    expect(record).toMatchObject({ status: 502, errorSource: 'metrion' });
  });

  it('never shows a provider key or a Metrion Key in any log line, response or usage record', async () => {
    // Arrange: exercise success and failure paths in both modes first
    stack.openai.setScenario({ kind: 'ok' });
    await post(OPENAI_PATH, {
      body: chatBody,
      headers: { authorization: `Bearer ${stack.metrionKey}` },
    });
    await post(OPENAI_PATH, {
      body: chatBody,
      headers: {
        authorization: `Bearer ${FAKE_OPENAI_API_KEY}`,
        'x-metrion-token': stack.metrionKey,
      },
    });
    await post(OPENAI_PATH, {
      body: '{',
      headers: {
        authorization: `Bearer ${FAKE_OPENAI_API_KEY}`,
        'x-metrion-token': stack.metrionKey,
      },
    });
    const records = await stack.records();

    // Assert
    const haystacks = [
      ...stack.logLines,
      ...responseTexts,
      JSON.stringify(records, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)),
    ];
    expect(haystacks.length).toBeGreaterThan(5);
    for (const secret of [
      FAKE_OPENAI_API_KEY,
      FAKE_ANTHROPIC_API_KEY,
      stack.metrionKey,
      stack.metrionKey.slice(11),
    ]) {
      for (const text of haystacks) expect(text).not.toContain(secret);
    }
  });
});

describe('pass-through keys of Gemini, Mistral and Grok', () => {
  // A stack of its own: these providers need their own fakes and stored keys, which the
  // "no Mistral key is stored" test above must not have.
  let compatible: ProxyStack;
  beforeAll(async () => {
    compatible = await startProxyStack({ providerFakes: true });
  });
  afterAll(async () => {
    await compatible?.close();
  });

  const MODELS = {
    gemini: 'gemini-2.5-flash',
    mistral: 'mistral-large-latest',
    grok: 'grok-3-mini',
  };

  it('never shows one in any log line, response or usage record, nor a stored one', async () => {
    // Arrange: each provider in pass-through mode (success, stream, bad JSON, wrong Metrion
    // token, an unpriced model, which writes a log line) and in stored mode; the fakes answer
    // 401 unless their own key arrived.
    const texts: string[] = [];
    const statuses: number[] = [];
    for (const provider of ['gemini', 'mistral', 'grok'] as const) {
      const url = `${compatible.metrion.proxyBaseUrls[provider]}/chat/completions`;
      const passThrough = {
        'content-type': 'application/json',
        authorization: `Bearer ${compatible.upstreams[provider].apiKey}`,
        'x-metrion-token': compatible.metrionKey,
      };
      const body = (stream: boolean, model: string = MODELS[provider]) =>
        JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'hi' }] });
      for (const request of [
        { headers: passThrough, body: body(false) },
        { headers: passThrough, body: body(true) },
        { headers: passThrough, body: '{' },
        {
          headers: {
            ...passThrough,
            'x-metrion-token': 'sk-metrion-ffffffffffffffffffffffffffffffff',
          },
          body: body(false),
        },
        { headers: passThrough, body: body(false, `${provider}-9-unpriced`) },
        {
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${compatible.metrionKey}`,
          },
          body: body(false),
        },
      ]) {
        const response = await fetch(url, { method: 'POST', ...request });
        statuses.push(response.status);
        texts.push(await response.text());
      }
    }
    const records = await compatible.waitForRecords(15);

    // Assert: every path ran as intended (all but the unknown Metrion Key's are recorded, the
    // refused bad JSON included), then no key shows
    expect(statuses).toEqual([...Array(3)].flatMap(() => [200, 200, 400, 401, 200, 200]));
    const unpricedWarnings = compatible.logLines.filter((line) => line.includes('unpriced model'));
    expect(unpricedWarnings).toHaveLength(3);
    const haystacks = [
      ...compatible.logLines,
      ...texts,
      JSON.stringify(records, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)),
    ];
    for (const secret of [
      FAKE_GEMINI_API_KEY,
      FAKE_MISTRAL_API_KEY,
      FAKE_XAI_API_KEY,
      compatible.metrionKey,
      compatible.metrionKey.slice(11),
    ]) {
      for (const text of haystacks) expect(text).not.toContain(secret);
    }
  });
});
