import { describe, expect } from 'vitest';
import { providerIdSchema } from '#contracts/settings-api.ts';
import { PROVIDER_IDS, PROVIDERS } from '#core/providers/provider-registry.ts';
import {
  dashboardApiTest,
  expectApiError,
  expectNoSecretsInLogs,
  expectResponseOf,
} from '../support/dashboard-api-stack.ts';

const it = dashboardApiTest();

/** Plausible keys per provider (fakes: never real credentials). */
const VALID_KEYS = {
  anthropic: 'sk-ant-api03-fakefakefakefakefakefake0123',
  openai: 'sk-proj-fakefakefakefakefake0123456789',
  gemini: 'AIzaFakeFakeFakeFakeFakeFakeFake012345',
  mistral: 'FakeMistralKey0123456789abcdefAB',
  grok: 'xai-FakeFakeFakeFakeFake0123456789',
} as const satisfies Record<(typeof PROVIDER_IDS)[number], string>;

describe('GET /api/config (public)', () => {
  it('tells the browser how to sign in, without a token', async ({ stack }) => {
    const answer = await stack.api('/api/config');
    expectResponseOf('getConfig', answer);
    expect(answer.json).toEqual({
      cognito: {
        region: 'local',
        userPoolId: stack.metrion.cognito.userPoolId,
        clientId: stack.metrion.cognito.clientId,
        endpoint: stack.metrion.cognito.endpoint,
      },
      proxyBasePath: '/api/proxy',
    });
  });
});

describe('GET /api/me', () => {
  it('creates the account on the first call from the token (id = sub, email), then returns it', async ({
    stack,
  }) => {
    const newcomer = await stack.signUp('newcomer');
    const sub = JSON.parse(
      Buffer.from(newcomer.idToken.split('.')[1] ?? '', 'base64url').toString(),
    ).sub;

    const [first, second] = [
      await stack.api('/api/me', { as: newcomer }),
      await stack.api('/api/me', { as: newcomer }),
    ];

    expectResponseOf('getMe', first);
    expect(first.json).toMatchObject({
      accountId: sub,
      email: newcomer.email,
      displayName: newcomer.email.split('@')[0],
      currency: 'USD',
      plan: 'free',
    });
    expect(second.json).toEqual(first.json);
  });

  it('creates exactly one account when the first calls arrive together', async ({ stack }) => {
    const racer = await stack.signUp('racer');
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => stack.api('/api/me', { as: racer })),
    );
    for (const answer of answers) expectResponseOf('getMe', answer);
    expect(new Set(answers.map((answer) => answer.json.createdAt)).size).toBe(1);
    const keys = await Promise.all(
      [0, 1].map(() => stack.api('/api/settings/metrion-key', { as: racer })),
    );
    expect(keys[0]?.json).toEqual(keys[1]?.json);
  });
});

describe('PATCH /api/settings/general', () => {
  it('trims the display name, changes the currency, and /api/me shows both', async ({
    stack,
    user,
  }) => {
    const answer = await stack.api('/api/settings/general', {
      method: 'PATCH',
      as: user,
      body: { displayName: '  Ada Lovelace  ', currency: 'CHF' },
    });
    expectResponseOf('updateGeneral', answer);
    expect(answer.json).toMatchObject({ displayName: 'Ada Lovelace', currency: 'CHF' });
    expect((await stack.api('/api/me', { as: user })).json).toMatchObject({
      displayName: 'Ada Lovelace',
      currency: 'CHF',
    });
  });

  it('changes one field alone and accepts exactly 80 characters', async ({ stack, user }) => {
    const name = 'n'.repeat(80);
    const renamed = await stack.api('/api/settings/general', {
      method: 'PATCH',
      as: user,
      body: { displayName: name },
    });
    expectResponseOf('updateGeneral', renamed);
    expect(renamed.json).toMatchObject({ displayName: name, currency: 'CHF' });
    const recurrenced = await stack.api('/api/settings/general', {
      method: 'PATCH',
      as: user,
      body: { currency: 'EUR' },
    });
    expect(recurrenced.json).toMatchObject({ displayName: name, currency: 'EUR' });
  });

  it.for<[string, unknown, string]>([
    ['an empty name', { displayName: '' }, 'Display name cannot be empty.'],
    ['a name of spaces', { displayName: '   ' }, 'Display name cannot be empty.'],
    ['an 81-character name', { displayName: 'x'.repeat(81) }, 'at most 80 characters'],
    ['a name with a line break', { displayName: 'Ada\nLovelace' }, 'control characters'],
    ['a right-to-left override', { displayName: 'Ada\u202Egpj.exe' }, 'right-to-left overrides'],
    ['a name that is not a string', { displayName: 42 }, '"displayName" must be a string'],
    ['an unsupported currency', { currency: 'GBP' }, 'Currency must be USD, EUR or CHF.'],
    ['a lower-case currency', { currency: 'eur' }, 'Currency must be USD, EUR or CHF.'],
    ['an unknown field', { displayName: 'Ada', plan: 'pro' }, 'Unknown field "plan"'],
    ['an account id in the body', { accountId: 'someone-else' }, 'Unknown field "accountId"'],
    ['neither field', {}, 'Send displayName, currency or both.'],
    ['a JSON array', [], 'must be a JSON object'],
    ['invalid JSON', '{"displayName": "Ada"', 'not valid JSON'],
    ['an empty body', '', 'not valid JSON'],
  ])(
    'rejects %s with 400 and leaves the account unchanged',
    async ([_, body, message], { stack, user }) => {
      const before = (await stack.api('/api/me', { as: user })).json;
      const answer = await stack.api('/api/settings/general', { method: 'PATCH', as: user, body });
      expectApiError(answer, 400, 'invalid_request', message);
      expect((await stack.api('/api/me', { as: user })).json).toEqual(before);
    },
  );
});

describe('Metrion Key', () => {
  it('shows the key, decrypted on demand, the same on every read', async ({ stack, user }) => {
    const first = await stack.api('/api/settings/metrion-key', { as: user });
    expectResponseOf('getMetrionKey', first);
    expect(first.json.metrionKey).toMatch(/^sk-metrion-[0-9a-f]{32}$/);
    expect((await stack.api('/api/settings/metrion-key', { as: user })).json).toEqual(first.json);
  });

  it('regenerates a different key, which is what reading it returns from then on', async ({
    stack,
    user,
  }) => {
    const before = (await stack.api('/api/settings/metrion-key', { as: user })).json.metrionKey;
    const answer = await stack.api('/api/settings/metrion-key/regenerate', {
      method: 'POST',
      as: user,
    });
    expectResponseOf('regenerateMetrionKey', answer);
    expect(answer.json.metrionKey).toMatch(/^sk-metrion-[0-9a-f]{32}$/);
    expect(answer.json.metrionKey).not.toBe(before);
    expect((await stack.api('/api/settings/metrion-key', { as: user })).json).toEqual(answer.json);
  });
});

describe('Providers', () => {
  it.for(PROVIDER_IDS)(
    'stores a %s key and lists it with its date, never the key',
    async (provider, { stack, user }) => {
      const key = VALID_KEYS[provider];
      stack.secrets.add(key);
      const put = await stack.api(`/api/settings/providers/${provider}`, {
        method: 'PUT',
        as: user,
        body: { key: `  ${key}\n` },
      });
      expectResponseOf('putProviderKey', put);
      expect(put.json).toEqual({ provider, createdAt: expect.any(String) });

      const list = await stack.api('/api/settings/providers', { as: user });
      expectResponseOf('listProviderKeys', list);
      expect(list.json.providers).toContainEqual({ provider, createdAt: put.json.createdAt });
      for (const fragment of [key, key.slice(-4), key.slice(0, 12)]) {
        expect(put.text + list.text).not.toContain(fragment);
      }
    },
  );

  it('replaces a key: still one entry, with the new date', async ({ stack, user }) => {
    const first = await stack.api('/api/settings/providers/openai', {
      method: 'PUT',
      as: user,
      body: { key: VALID_KEYS.openai },
    });
    const replacement = 'sk-proj-replacementreplacement0123';
    stack.secrets.add(replacement);
    const second = await stack.api('/api/settings/providers/openai', {
      method: 'PUT',
      as: user,
      body: { key: replacement },
    });
    expect(second.json.createdAt >= first.json.createdAt).toBe(true);
    const list = (await stack.api('/api/settings/providers', { as: user })).json.providers;
    expect(list.filter((entry: { provider: string }) => entry.provider === 'openai')).toEqual([
      { provider: 'openai', createdAt: second.json.createdAt },
    ]);
  });

  it.for([
    ['openai', 'sk-ant-api03-an-anthropic-key-0000000000', 'API key for OpenAI'],
    ['anthropic', 'sk-proj-an-openai-key-00000000000000', 'API key for Anthropic'],
    ['grok', 'not-a-grok-key-at-all-0000000000', 'API key for Grok'],
    ['mistral', 'short', 'API key for Mistral'],
    ['gemini', 'has spaces in it but is long enough 000', 'API key for Gemini'],
    ['openai', 'sk-metrion-0123456789abcdef0123456789abcdef', 'This is a Metrion Key.'],
  ] as const)(
    'rejects a key that cannot be a %s key with 400, naming the provider',
    async ([provider, key, message], { stack, user }) => {
      stack.secrets.add(key);
      const answer = await stack.api(`/api/settings/providers/${provider}`, {
        method: 'PUT',
        as: user,
        body: { key },
      });
      expectApiError(answer, 400, 'invalid_request', message);
      expect(answer.json.error.message).toContain(PROVIDERS[provider].consoleKeysUrl);
      expect(answer.text).not.toContain(key);
    },
  );

  it.for<[string, unknown, string]>([
    ['an empty key', { key: '   ' }, 'Paste the API key.'],
    ['no key field', {}, 'Send the API key as a string in "key".'],
    ['a key that is not a string', { key: 12345 }, 'Send the API key as a string in "key".'],
    ['an oversized key', { key: `sk-${'a'.repeat(600)}` }, 'at most 512 characters'],
    ['an unknown field', { key: VALID_KEYS.openai, label: 'x' }, 'Unknown field "label"'],
    ['invalid JSON', '{"key":', 'not valid JSON'],
  ])('rejects %s with 400', async ([_, body, message], { stack, user }) => {
    const answer = await stack.api('/api/settings/providers/openai', {
      method: 'PUT',
      as: user,
      body,
    });
    expectApiError(answer, 400, 'invalid_request', message);
  });

  it.for(['PUT', 'DELETE'])(
    'answers %s on an unknown provider with 404 listing the supported ones',
    async (method, { stack, user }) => {
      const answer = await stack.api('/api/settings/providers/cohere', {
        method,
        as: user,
        ...(method === 'PUT' ? { body: { key: VALID_KEYS.openai } } : {}),
      });
      expectApiError(
        answer,
        404,
        'not_found',
        `Unknown provider "cohere". Metrion supports: ${PROVIDER_IDS.join(', ')}.`,
      );
    },
  );

  it('deletes a key from storage and returns the console URL to revoke it', async ({
    stack,
    user,
  }) => {
    const me = (await stack.api('/api/me', { as: user })).json;
    await stack.api('/api/settings/providers/mistral', {
      method: 'PUT',
      as: user,
      body: { key: VALID_KEYS.mistral },
    });

    const answer = await stack.api('/api/settings/providers/mistral', {
      method: 'DELETE',
      as: user,
    });

    expectResponseOf('deleteProviderKey', answer);
    expect(answer.json).toEqual({
      provider: 'mistral',
      revokeUrl: PROVIDERS.mistral.consoleKeysUrl,
    });
    const listed = (await stack.api('/api/settings/providers', { as: user })).json.providers;
    expect(listed.map((entry: { provider: string }) => entry.provider)).not.toContain('mistral');
    const stored = await stack.metrion.data.accountService.listProviderKeys(me.accountId);
    expect(stored.map((entry) => entry.provider)).not.toContain('mistral');
    expectApiError(
      await stack.api('/api/settings/providers/mistral', { method: 'DELETE', as: user }),
      404,
      'not_found',
      'No Mistral key is stored.',
    );
  });

  it('uses the same provider list as the proxy registry', () => {
    expect(providerIdSchema.options).toEqual([...PROVIDER_IDS]);
  });
});

describe('GET /api/integration/status', () => {
  it('reports no request yet for a new account', async ({ stack, user }) => {
    const answer = await stack.api('/api/integration/status', { as: user });
    expectResponseOf('getIntegrationStatus', answer);
    expect(answer.json).toEqual({ firstRequestAt: null });
  });
});

describe('routing and headers', () => {
  it("answers an unknown /api path with API Gateway's 404 in the documented dashboard envelope", async ({
    stack,
    user,
  }) => {
    for (const path of ['/api/settings/nope', '/api']) {
      const answer = await stack.api(path, { as: user });
      expect(answer.status).toBe(404);
      // What the dashboard's API client reads: `error.code` and `error.message`.
      expect(answer.json.error).toMatchObject({
        code: 'not_found',
        message: expect.stringContaining('No Metrion route'),
      });
    }
  });

  it.for<[string, string, string]>([
    ['POST', '/api/me', 'GET'],
    ['DELETE', '/api/settings/metrion-key', 'GET'],
    ['GET', '/api/settings/metrion-key/regenerate', 'POST'],
    ['POST', '/api/settings/providers/openai', 'PUT, DELETE'],
  ])('answers %s %s with 405 and Allow: %s', async ([method, path, allow], { stack, user }) => {
    const answer = await stack.api(path, { method, as: user });
    expectApiError(answer, 405, 'method_not_allowed');
    expect(answer.headers.get('allow')).toBe(allow);
  });

  it('marks every answer as JSON that must not be cached or sniffed', async ({ stack, user }) => {
    for (const answer of [
      await stack.api('/api/settings/metrion-key', { as: user }),
      await stack.api('/api/config'),
      await stack.api('/api/me'),
    ]) {
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(answer.headers.get('x-metrion-request-id')).toBeTruthy();
    }
  });
});

describe('a path under /api that no route serves', () => {
  it("gets API Gateway's own 404, as in AWS, not the dashboard API's", async ({ stack, user }) => {
    const answer = await stack.api('/api/nope', { as: user });

    expect(answer.status).toBe(404);
    expect(answer.json.error).toMatchObject({ type: 'not_found_error', code: 'not_found' });
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('x-metrion-request-id')).toBeNull();
  });
});

describe('logs', () => {
  it('never contain a provider key or a Metrion Key', ({ stack }) => {
    expect(stack.secrets.size).toBeGreaterThan(PROVIDER_IDS.length);
    expectNoSecretsInLogs(stack);
  });
});
