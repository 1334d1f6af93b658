import { describe, expect } from 'vitest';
import {
  type ProxyStack,
  proxyStackTest,
  storedAnthropic,
  storedOpenAi,
} from '../support/proxy-stack.ts';

// Issue 14 leftovers: the calls SDKs make besides the metered ones keep their query string
// (never a `key=` credential), and answer with a request id that has no Logs row.
const it = proxyStackTest({ providerFakes: true });

function get(stack: ProxyStack, url: string): Promise<Response> {
  return fetch(url, { headers: { authorization: `Bearer ${stack.metrionKey}` } });
}

describe('side calls forward the query string', () => {
  it('sends the Anthropic SDK’s models.list({ limit }) upstream with its query', async ({
    stack,
  }) => {
    const page = await storedAnthropic(stack).models.list({ limit: 2 });

    expect(page.data.map((model) => model.id)).toContain('claude-haiku-4-5');
    expect(stack.anthropic.requests.at(-1)).toMatchObject({
      method: 'GET',
      path: '/v1/models',
      query: '?limit=2',
    });
  });

  it('keeps every parameter in order on the OpenAI-compatible routes, minus a key= credential', async ({
    stack,
  }) => {
    const response = await get(
      stack,
      `${stack.metrion.proxyBaseUrls.gemini}/models?pageSize=5&key=AIza-caller-key&pageToken=a%20b`,
    );
    await storedOpenAi(stack).models.retrieve('gpt-4o', { query: { view: 'full' } });

    expect(response.status).toBe(200);
    const gemini = stack.upstreams.gemini.requests.at(-1);
    expect(gemini).toMatchObject({
      path: '/v1beta/openai/models',
      query: '?pageSize=5&pageToken=a%20b',
    });
    expect(JSON.stringify(gemini)).not.toContain('AIza-caller-key');
    expect(stack.upstreams.gemini.requests.at(-1)?.headers.authorization).toBe(
      `Bearer ${stack.upstreams.gemini.apiKey}`,
    );
    expect(stack.openai.requests.at(-1)).toMatchObject({
      path: '/v1/models/gpt-4o',
      query: '?view=full',
    });
  });

  it('sends no query string when the caller sent none', async ({ stack }) => {
    await get(stack, `${stack.metrion.proxyBaseUrls.mistral}/models`);

    expect(stack.upstreams.mistral.requests.at(-1)).toMatchObject({
      path: '/v1/models',
      query: '',
    });
  });
});

describe('side-call answers', () => {
  it('carry x-metrion-request-id, but no usage record (no Logs row) exists for it', async ({
    stack,
  }) => {
    const before = (await stack.settledRecords()).length;

    const response = await get(stack, `${stack.metrion.proxyBaseUrls.openai}/models`);

    const requestId = response.headers.get('x-metrion-request-id');
    expect(response.status).toBe(200);
    expect(requestId).toMatch(/\S/);
    const records = await stack.settledRecords();
    expect(records).toHaveLength(before);
    expect(records.some((record) => record.requestId === requestId)).toBe(false);
  });
});
