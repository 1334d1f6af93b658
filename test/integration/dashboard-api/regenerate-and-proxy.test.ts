import OpenAI from 'openai';
import { describe, expect } from 'vitest';
import { FAKE_OPENAI_API_KEY } from '../../fixtures/fake-openai-server.ts';
import { readUntil } from '../../fixtures/read-until.ts';
import {
  type DashboardApiStack,
  dashboardApiTest,
  expectNoSecretsInLogs,
  expectResponseOf,
  type TestUser,
} from '../support/dashboard-api-stack.ts';

const it = dashboardApiTest();

function openAiWith(stack: DashboardApiStack, metrionKey: string): OpenAI {
  return new OpenAI({
    apiKey: metrionKey,
    baseURL: stack.metrion.proxyBaseUrls.openai,
    maxRetries: 0,
  });
}

function chat(client: OpenAI) {
  return client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'hi' }],
  });
}

async function integrationStatus(stack: DashboardApiStack, user: TestUser): Promise<string | null> {
  const answer = await stack.api('/api/integration/status', { as: user });
  expectResponseOf('getIntegrationStatus', answer);
  return answer.json.firstRequestAt;
}

/** Polls like the Integrate page until the first request shows up (usage lands after the response). */
async function waitForFirstRequest(stack: DashboardApiStack, user: TestUser): Promise<string> {
  const firstRequestAt = await readUntil(
    () => integrationStatus(stack, user),
    (reported) => reported !== null,
  );
  if (firstRequestAt === null) throw new Error('the first request was never reported');
  return firstRequestAt;
}

describe('the Integrate flow with the official openai client', () => {
  let firstKey: string;
  let secondKey: string;

  it('proxies in stored mode with the Metrion Key and provider key saved through the API', async ({
    stack,
    user,
  }) => {
    // Arrange
    firstKey = (await stack.api('/api/settings/metrion-key', { as: user })).json.metrionKey;
    const put = await stack.api('/api/settings/providers/openai', {
      method: 'PUT',
      as: user,
      body: { key: FAKE_OPENAI_API_KEY },
    });
    expectResponseOf('putProviderKey', put);
    expect(await integrationStatus(stack, user)).toBeNull();
    const sentBefore = Date.now();

    // Act
    const completion = await chat(openAiWith(stack, firstKey));

    // Assert
    expect(completion.choices[0]?.message.content).toBeTruthy();
    expect(stack.openai.requests.at(-1)?.headers.authorization).toBe(
      `Bearer ${FAKE_OPENAI_API_KEY}`,
    );
    const firstRequestAt = await waitForFirstRequest(stack, user);
    expect(Date.parse(firstRequestAt)).toBeGreaterThanOrEqual(sentBefore - 1000);
  });

  it('rejects the old key on the very next request after regeneration; the new key works', async ({
    stack,
    user,
  }) => {
    const regenerated = await stack.api('/api/settings/metrion-key/regenerate', {
      method: 'POST',
      as: user,
    });
    expectResponseOf('regenerateMetrionKey', regenerated);
    secondKey = regenerated.json.metrionKey;
    const upstreamCalls = stack.openai.requests.length;

    const failure = await chat(openAiWith(stack, firstKey)).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(stack.openai.requests.length).toBe(upstreamCalls);
    const completion = await chat(openAiWith(stack, secondKey));
    expect(completion.choices[0]?.message.content).toBeTruthy();
    expect(stack.openai.requests.length).toBe(upstreamCalls + 1);
  });

  it('stops stored mode at once when the provider key is deleted', async ({ stack, user }) => {
    const deleted = await stack.api('/api/settings/providers/openai', {
      method: 'DELETE',
      as: user,
    });
    expectResponseOf('deleteProviderKey', deleted);

    const failure = await chat(openAiWith(stack, secondKey)).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((failure as Error).message).toContain('No OpenAI key is saved in Metrion');
  });

  it('wrote neither provider keys nor Metrion Keys to the logs', ({ stack }) => {
    expect(stack.secrets).toContain(firstKey);
    expect(stack.secrets).toContain(secondKey);
    expectNoSecretsInLogs(stack);
  });
});

describe('two simultaneous key regenerations', () => {
  it('leave exactly one valid key, the one the account shows', async ({ stack, user }) => {
    // Arrange
    await stack.api('/api/settings/providers/openai', {
      method: 'PUT',
      as: user,
      body: { key: FAKE_OPENAI_API_KEY },
    });
    const regenerate = () =>
      stack.api('/api/settings/metrion-key/regenerate', { method: 'POST', as: user });

    for (let round = 0; round < 5; round += 1) {
      const before = (await stack.api('/api/settings/metrion-key', { as: user })).json.metrionKey;

      // Act
      const [first, second] = await Promise.all([regenerate(), regenerate()]);

      // Assert: both succeed; when they overlapped, the loser returns the winner's key; when the
      // machine served them one after the other, the later one replaced the earlier. Either way
      // exactly one key is valid: the account's, held by the caller that finished last.
      expectResponseOf('regenerateMetrionKey', first);
      expectResponseOf('regenerateMetrionKey', second);
      const issued = new Set<string>([first.json.metrionKey, second.json.metrionKey]);
      const current = (await stack.api('/api/settings/metrion-key', { as: user })).json.metrionKey;
      expect(issued).toContain(current);
      await expect(chat(openAiWith(stack, current))).resolves.toBeTruthy();
      for (const replaced of [...issued].filter((key) => key !== current)) {
        const refused = await chat(openAiWith(stack, replaced)).catch((error: unknown) => error);
        expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
      }
      const old = await chat(openAiWith(stack, before)).catch((error: unknown) => error);
      expect(old).toBeInstanceOf(OpenAI.AuthenticationError);
    }
  });
});
