// Metrion's own refusals of a signed-up account's requests, through the official SDKs: each SDK
// raises its typed error, and Logs and the Dashboard's Errors tab show each refusal (source
// Metrion, cost 0).
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PROXY_BODY_BYTES } from '#core/proxy/parse-proxy-request.ts';
import { FAKE_OPENAI_API_KEY } from '../../fixtures/fake-openai-server.ts';
import { readUntil } from '../../fixtures/read-until.ts';
import {
  type DashboardApiStack,
  expectResponseOf,
  startDashboardApiStack,
  type TestUser,
} from '../support/dashboard-api-stack.ts';

let stack: DashboardApiStack;
let user: TestUser;
let metrionKey: string;
/** Each refusal the account's key got, by the request id its answer carried. */
const refusals = new Map<string, { status: number; message: string }>();
let upstreamRequests: number;

/** The request id and message of an SDK error, remembered as a refusal. */
function remember(error: unknown): InstanceType<typeof OpenAI.APIError> {
  if (!(error instanceof OpenAI.APIError || error instanceof Anthropic.APIError)) throw error;
  const requestId = error.headers?.get('x-metrion-request-id');
  if (!requestId || error.status === undefined) throw new Error('no x-metrion-request-id');
  const body = error.error as { error?: { message?: string }; message?: string } | undefined;
  refusals.set(requestId, {
    status: error.status,
    message: body?.error?.message ?? body?.message ?? '',
  });
  return error as InstanceType<typeof OpenAI.APIError>;
}

/** The SDK error a call ends with (remembered as a refusal); fails the test if it succeeds. */
function failureOf(call: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  return call.then(() => {
    throw new Error('the call succeeded');
  }, remember);
}

async function rawPost(path: string, headers: Record<string, string>, body: string) {
  const response = await fetch(`${stack.metrion.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const json = await response.json();
  return { response, json };
}

const openAi = (provider: 'openai' | 'mistral' = 'openai') =>
  new OpenAI({
    apiKey: metrionKey,
    baseURL: stack.metrion.proxyBaseUrls[provider],
    maxRetries: 0,
  });

beforeAll(async () => {
  stack = await startDashboardApiStack();
  user = await stack.signUp('refusals');
  await stack.api('/api/me', { as: user });
  await stack.api('/api/settings/providers/openai', {
    method: 'PUT',
    as: user,
    body: { key: FAKE_OPENAI_API_KEY },
  });
  metrionKey = (await stack.api('/api/settings/metrion-key', { as: user })).json.metrionKey;
  upstreamRequests = stack.openai.requests.length;
}, 60_000);
afterAll(async () => {
  await stack?.close();
});

describe('the SDKs get their typed errors', () => {
  it('openai: BadRequestError for a chat without messages', async () => {
    const error = await failureOf(
      openAi().chat.completions.create({
        model: 'gpt-4o-mini',
      } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming),
    );

    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.message).toContain('`messages` is required');
  });

  it('openai: NotFoundError naming what the Mistral base URL serves for the Responses API', async () => {
    const error = await failureOf(
      openAi('mistral').responses.create({ model: 'mistral-small-latest', input: 'hi' }),
    );

    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error.message).toContain(
      'Mistral has no Responses API endpoint through Metrion (/responses). Its base URL /api/proxy/mistral/v1 serves POST /chat/completions, POST /embeddings, GET /models and GET /models/{model}.',
    );
    expect(error.message).not.toContain('Set your SDK');
  });

  it('openai: AuthenticationError sending the customer to Integrate for a missing provider key', async () => {
    const error = await failureOf(
      openAi('mistral').chat.completions.create({
        model: 'mistral-small-latest',
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );

    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error.code).toBe('missing_provider_key');
    expect(error.message).toContain('Add your Mistral key on Integrate (/integrate)');
  });

  it('anthropic: BadRequestError for a message without max_tokens', async () => {
    const error = await failureOf(
      new Anthropic({
        apiKey: metrionKey,
        baseURL: stack.metrion.proxyBaseUrls.anthropic,
        maxRetries: 0,
      }).messages.create({
        model: 'claude-haiku-4-5',
        messages: [{ role: 'user', content: 'hi' }],
      } as unknown as Anthropic.MessageCreateParamsNonStreaming),
    );

    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error.message).toContain('`max_tokens` is required');
  });

  it('raw HTTP: 400 for malformed JSON and 413 for an oversize body, in the OpenAI envelope', async () => {
    const auth = { authorization: `Bearer ${metrionKey}` };
    const path = '/api/proxy/openai/v1/chat/completions';
    const malformed = await rawPost(path, auth, '{"model":');
    const oversize = await rawPost(
      path,
      auth,
      JSON.stringify({ model: 'gpt-4o-mini', messages: [], pad: 'x'.repeat(MAX_PROXY_BODY_BYTES) }),
    );

    for (const [{ response, json }, status] of [
      [malformed, 400],
      [oversize, 413],
    ] as const) {
      expect(response.status).toBe(status);
      const requestId = response.headers.get('x-metrion-request-id') ?? '';
      refusals.set(requestId, { status, message: json.error.message });
    }
  });

  it('never called the provider', () => {
    expect(stack.openai.requests.length).toBe(upstreamRequests);
  });
});

describe('Logs and the Errors tab show each refusal', () => {
  /** The account's Logs once every refusal has its row (rows are written after the answer). */
  async function logRows() {
    const page = await readUntil(
      () => stack.api('/api/logs?range=24h', { as: user }),
      (found) => found.json.totalCount >= refusals.size,
    );
    if (page.json.totalCount < refusals.size) throw new Error('the refusals never reached Logs');
    return page;
  }

  it('lists one row per refusal at cost 0, with source Metrion and the message in the detail', async () => {
    // Act
    const page = await logRows();

    // Assert
    expectResponseOf('listLogs', page);
    expect(refusals.size).toBe(6);
    expect(page.json.totalCount).toBe(6);
    for (const row of page.json.rows) {
      const refusal = refusals.get(row.requestId);
      expect(refusal, `row ${row.requestId} is not one of the refusals`).toBeDefined();
      expect(row).toMatchObject({ status: refusal?.status, costUsd: '0', cost: '0.000000' });
      const detail = await stack.api(`/api/logs/${row.requestId}`, { as: user });
      expectResponseOf('getLog', detail);
      expect(detail.json).toMatchObject({
        errorSource: 'metrion',
        errorMessage: refusal?.message,
      });
    }
  });

  it('counts them in the Errors tab and lists them among the recent errors', async () => {
    await logRows();
    const errors = await readUntil(
      () => stack.api('/api/dashboard/errors?range=24h', { as: user }),
      (found) => found.json.errors?.total === 6,
    );

    expectResponseOf('getDashboardErrors', errors);
    expect(errors.json.errors.total).toBe(6);
    expect(
      Object.fromEntries(
        errors.json.byStatus.map((entry: { status: number; total: number }) => [
          entry.status,
          entry.total,
        ]),
      ),
    ).toEqual({ 400: 3, 401: 1, 404: 1, 413: 1 });
    expect(errors.json.recent).toHaveLength(6);
    for (const recent of errors.json.recent) {
      expect(recent).toMatchObject({
        errorSource: 'metrion',
        errorMessage: refusals.get(recent.requestId)?.message,
      });
    }
  });
});
