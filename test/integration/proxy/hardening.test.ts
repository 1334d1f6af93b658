import { request as httpRequest } from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect } from 'vitest';
import { MAX_MODEL_ID_LENGTH } from '#core/usage/usage-record.ts';
import {
  type ProxyStack,
  proxyStackTest,
  storedAnthropic,
  storedOpenAi,
} from '../support/proxy-stack.ts';

const it = proxyStackTest();

const messages = [{ role: 'user' as const, content: 'hi' }];
const upstreamCalls = (stack: ProxyStack) =>
  stack.openai.requests.length + stack.anthropic.requests.length;

/** A raw POST, for bodies and headers an SDK would not send. */
function post(
  stack: ProxyStack,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; text: string }> {
  const target = new URL(stack.metrion.url);
  return new Promise((resolve, reject) => {
    httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: 'POST',
        path: '/api/proxy/openai/v1/chat/completions',
        headers: { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    )
      .on('error', reject)
      .end(body);
  });
}

describe('proxy hardening (issue 12 part 5)', () => {
  it('a model over 256 characters is a 400 in each envelope, recorded without it', async ({
    stack,
  }) => {
    // Arrange
    const before = (await stack.settledRecords()).length;
    const calls = upstreamCalls(stack);
    const model = 'm'.repeat(MAX_MODEL_ID_LENGTH + 1);

    // Act
    const fromOpenAi = await storedOpenAi(stack)
      .chat.completions.create({ model, messages })
      .catch((error: unknown) => error);
    const fromAnthropic = await storedAnthropic(stack)
      .messages.create({ model, max_tokens: 8, messages })
      .catch((error: unknown) => error);

    // Assert
    expect(fromOpenAi).toBeInstanceOf(OpenAI.BadRequestError);
    expect((fromOpenAi as Error).message).toMatch(/at most 256 characters/);
    expect(fromAnthropic).toBeInstanceOf(Anthropic.BadRequestError);
    expect((fromAnthropic as Error).message).toMatch(/at most 256 characters/);
    expect(upstreamCalls(stack)).toBe(calls);
    const refusals = (await stack.waitForRecords(before + 2)).slice(0, 2);
    expect(refusals.map((record) => record.provider).sort()).toEqual(['anthropic', 'openai']);
    for (const record of refusals) {
      expect(record).toMatchObject({ status: 400, model: '', errorSource: 'metrion' });
    }
  });

  it('the longest model with the longest requester is recorded, rollups included', async ({
    stack,
  }) => {
    const model = '€/'.repeat(MAX_MODEL_ID_LENGTH / 2);
    stack.openai.setScenario({ kind: 'ok', model });

    const { response } = await storedOpenAi(stack)
      .chat.completions.create(
        { model, messages },
        { headers: { 'x-metrion-user': '%'.repeat(128) } },
      )
      .withResponse();

    const record = await stack.recordFor(response.headers.get('x-metrion-request-id'));
    expect(record).toMatchObject({ model, requester: '%'.repeat(128), status: 200 });
    expect(stack.logLines.join('\n')).not.toMatch(/live rollup update failed|could not be written/);
    stack.openai.setScenario({ kind: 'ok' });
  });

  it('a provider answer naming an over-long model is relayed and recorded with the requested model', async ({
    stack,
  }) => {
    const answered = `gpt-4o-mini-${'x'.repeat(MAX_MODEL_ID_LENGTH)}`;
    stack.openai.setScenario({ kind: 'ok', model: answered });

    const { data, response } = await storedOpenAi(stack)
      .chat.completions.create({ model: 'gpt-4o-mini', messages })
      .withResponse();

    expect(data.model).toBe(answered);
    const record = await stack.recordFor(response.headers.get('x-metrion-request-id'));
    expect(record).toMatchObject({ model: 'gpt-4o-mini', status: 200 });
    stack.openai.setScenario({ kind: 'ok' });
  });

  it('deeply nested JSON with x-metrion-cache answers 400, not 500', async ({ stack }) => {
    const depth = 100_000;
    const body = `{"model":"gpt-4o-mini","messages":[],"metadata":${'['.repeat(depth)}${']'.repeat(depth)}}`;

    const response = await post(
      stack,
      { authorization: `Bearer ${stack.metrionKey}`, 'x-metrion-cache': 'true' },
      body,
    );

    expect(response.status).toBe(400);
    expect(JSON.parse(response.text)).toMatchObject({
      error: { type: 'invalid_request_error', message: expect.stringMatching(/deeper than/) },
    });
  });

  it('an invalid Cache-Control max-age with x-metrion-cache answers 400', async ({ stack }) => {
    const error = await storedOpenAi(stack)
      .chat.completions.create(
        { model: 'gpt-4o-mini', messages },
        { headers: { 'x-metrion-cache': 'true', 'cache-control': 'max-age=soon' } },
      )
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toMatch(/max-age=<seconds>/);
  });

  it('x-metrion-user "-" is refused: it is the Logs filter value for "no label"', async ({
    stack,
  }) => {
    const error = await storedOpenAi(stack)
      .chat.completions.create(
        { model: 'gpt-4o-mini', messages },
        { headers: { 'x-metrion-user': '-' } },
      )
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toMatch(/x-metrion-user "-" is reserved/);
  });

  it('Authorization: Bearer <key> extra is told the header is malformed', async ({ stack }) => {
    const response = await post(
      stack,
      { authorization: `Bearer ${stack.metrionKey} extra` },
      JSON.stringify({ model: 'gpt-4o-mini', messages }),
    );

    expect(response.status).toBe(401);
    expect(JSON.parse(response.text)).toMatchObject({
      error: { message: expect.stringMatching(/Authorization header is malformed/) },
    });
  });
});
