import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiRequestError, createApiClient } from '../../../frontend/src/lib/api-client.ts';
import { hasSession, startSession } from '../../../frontend/src/lib/session.ts';

const COGNITO_ENDPOINT = 'http://cognito.test/';
const CONFIG = {
  cognito: { region: 'local', userPoolId: 'pool', clientId: 'client', endpoint: COGNITO_ENDPOINT },
  proxyBasePath: '/api/proxy',
};
const ACCOUNT = {
  accountId: 'acc-1',
  email: 'ada@example.com',
  displayName: 'Ada',
  currency: 'USD',
  plan: 'free',
  createdAt: '2026-11-24T10:00:00.000Z',
};

interface SeenRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

/** An in-memory Storage: the client keeps its session in sessionStorage. */
class MemoryStorage {
  private readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

let seen: SeenRequest[];
let answer: (request: SeenRequest) => {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
};

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

beforeEach(() => {
  seen = [];
  answer = () => ({ status: 200, body: ACCOUNT });
  vi.stubGlobal('sessionStorage', new MemoryStorage());
  vi.stubGlobal('fetch', async (input: string, init: RequestInit = {}) => {
    const request: SeenRequest = {
      url: input,
      method: init.method ?? 'GET',
      headers: Object.fromEntries(new Headers(init.headers).entries()),
      body: init.body === undefined ? undefined : JSON.parse(String(init.body)),
    };
    seen.push(request);
    if (input === '/api/config') return json(200, CONFIG);
    const { status, body, headers } = answer(request);
    return json(status, body, headers);
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

function signedIn(expiresInSeconds = 3600): void {
  startSession('ada@example.com', {
    idToken: 'id-token-1',
    accessToken: 'access-token-1',
    refreshToken: 'refresh-token-1',
    expiresInSeconds,
  });
}

function apiCalls(): SeenRequest[] {
  return seen.filter((request) => request.url.startsWith('/api/') && request.url !== '/api/config');
}

describe('api client', () => {
  it('sends the ID token as Bearer and parses the answer with the contract schema', async () => {
    signedIn();
    const api = createApiClient({ onUnauthorized: vi.fn() });

    const account = await api.getMe();

    expect(account).toEqual(ACCOUNT);
    expect(apiCalls()).toEqual([
      expect.objectContaining({
        url: '/api/me',
        method: 'GET',
        headers: expect.objectContaining({ authorization: 'Bearer id-token-1' }),
      }),
    ]);
  });

  it('checks a body against the contract before sending and sends what the schema produced', async () => {
    signedIn();
    const api = createApiClient({ onUnauthorized: vi.fn() });

    await expect(api.updateGeneral({ displayName: '   ' })).rejects.toMatchObject({
      status: 400,
      code: 'invalid_request',
      message: 'Display name cannot be empty.',
    });
    expect(apiCalls()).toEqual([]);

    await api.updateGeneral({ displayName: '  Ada Lovelace ', currency: 'CHF' });
    expect(apiCalls()).toEqual([
      expect.objectContaining({
        url: '/api/settings/general',
        method: 'PATCH',
        body: { displayName: 'Ada Lovelace', currency: 'CHF' },
      }),
    ]);
  });

  it('fills path parameters from the route table, encoded', async () => {
    signedIn();
    answer = () => ({ status: 200, body: { provider: 'openai', revokeUrl: 'https://x.example' } });
    const api = createApiClient({ onUnauthorized: vi.fn() });

    await api.deleteProviderKey('openai');
    // A value outside the contract must still stay inside the path segment.
    await api.deleteProviderKey('../me' as 'openai').catch(() => undefined);

    expect(apiCalls().map((request) => `${request.method} ${request.url}`)).toEqual([
      'DELETE /api/settings/providers/openai',
      'DELETE /api/settings/providers/..%2Fme',
    ]);
  });

  it("turns the API's error envelope into an ApiRequestError with its message", async () => {
    signedIn();
    answer = () => ({
      status: 400,
      body: { error: { code: 'invalid_provider_key', message: 'This is not an OpenAI key.' } },
    });
    const api = createApiClient({ onUnauthorized: vi.fn() });

    const failure = await api.putProviderKey('openai', { key: 'nope' }).catch((error) => error);

    expect(failure).toBeInstanceOf(ApiRequestError);
    expect(failure).toMatchObject({
      status: 400,
      code: 'invalid_provider_key',
      message: 'This is not an OpenAI key.',
    });
  });

  it('rejects an answer that does not match the contract', async () => {
    signedIn();
    answer = () => ({ status: 200, body: { metrionKey: 42 } });
    const api = createApiClient({ onUnauthorized: vi.fn() });

    await expect(api.getMetrionKey()).rejects.toMatchObject({ code: 'invalid_response' });
  });

  it('ends the session and asks for sign-in when the API answers 401', async () => {
    signedIn();
    answer = () => ({ status: 401, body: { error: { code: 'unauthorized', message: 'no' } } });
    const onUnauthorized = vi.fn();
    const api = createApiClient({ onUnauthorized });

    await expect(api.getMe()).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });

  it('asks for sign-in without calling the API when there is no session', async () => {
    const onUnauthorized = vi.fn();
    const api = createApiClient({ onUnauthorized });

    await expect(api.getMe()).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).toHaveBeenCalledOnce();
    expect(apiCalls()).toEqual([]);
  });

  it('refreshes an expiring token with Cognito once before the call', async () => {
    signedIn(30);
    answer = (request) => {
      if (request.url === COGNITO_ENDPOINT) {
        return {
          status: 200,
          body: {
            AuthenticationResult: {
              IdToken: 'id-token-2',
              AccessToken: 'access-token-2',
              ExpiresIn: 3600,
            },
          },
        };
      }
      return { status: 200, body: ACCOUNT };
    };
    const api = createApiClient({ onUnauthorized: vi.fn() });

    await Promise.all([api.getMe(), api.getMe()]);

    const refreshes = seen.filter((request) => request.url === COGNITO_ENDPOINT);
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0]).toMatchObject({
      headers: {
        'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth',
        'content-type': 'application/x-amz-json-1.1',
      },
      body: {
        ClientId: 'client',
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: 'refresh-token-1' },
      },
    });
    expect(apiCalls().map((request) => request.headers.authorization)).toEqual([
      'Bearer id-token-2',
      'Bearer id-token-2',
    ]);
  });

  it('signs out when the refresh token no longer works', async () => {
    signedIn(30);
    answer = (request) =>
      request.url === COGNITO_ENDPOINT
        ? { status: 400, body: { __type: 'NotAuthorizedException', message: 'expired' } }
        : { status: 200, body: ACCOUNT };
    const onUnauthorized = vi.fn();
    const api = createApiClient({ onUnauthorized });

    await expect(api.getMe()).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).toHaveBeenCalledOnce();
    expect(hasSession()).toBe(false);
    expect(apiCalls()).toEqual([]);
  });

  it('reports a network failure with a message for people', async () => {
    signedIn();
    vi.stubGlobal('fetch', async (input: string) => {
      if (input === '/api/config') return json(200, CONFIG);
      throw new TypeError('fetch failed');
    });
    const api = createApiClient({ onUnauthorized: vi.fn() });

    await expect(api.getMe()).rejects.toMatchObject({
      status: 0,
      code: 'network_error',
      message: 'Could not reach Metrion. Check your connection and try again.',
    });
  });

  it('sends the alert routes from the route table and checks rules with the contract first', async () => {
    signedIn();
    const rule = {
      id: 'rule_1',
      type: 'request_volume',
      threshold: 10,
      scope: { kind: 'account' },
      channels: ['email'],
      paused: true,
      createdAt: '2026-11-24T10:00:00.000Z',
      lastFired: {},
      state: 'paused',
      current: { value: '3', ratio: 0.3 },
    };
    answer = (request) => ({
      status: request.method === 'POST' ? 201 : 200,
      body: request.method === 'DELETE' ? { id: 'rule_1' } : rule,
    });
    const api = createApiClient({ onUnauthorized: vi.fn() });

    await expect(
      api.createAlertRule({ type: 'error_rate', unit: 'percent', threshold: 120 }),
    ).rejects.toMatchObject({
      code: 'invalid_request',
      message: 'A percentage is above 0 and at most 100.',
    });
    await api.createAlertRule({ type: 'request_volume', threshold: 10 });
    await api.updateAlertRule('rule_1', { paused: true });
    await api.deleteAlertRule('rule_1');

    expect(apiCalls().map((request) => `${request.method} ${request.url}`)).toEqual([
      'POST /api/alerts',
      'PATCH /api/alerts/rule_1',
      'DELETE /api/alerts/rule_1',
    ]);
  });

  it("keeps a 429's Retry-After seconds on the error", async () => {
    signedIn();
    answer = () => ({
      status: 429,
      body: { error: { code: 'rate_limit_exceeded', message: 'Try again after later.' } },
      headers: { 'retry-after': '43199' },
    });
    const api = createApiClient({ onUnauthorized: vi.fn() });

    const refused = await api.testAlertRule('rule_1').catch((error: unknown) => error);

    expect(refused).toBeInstanceOf(ApiRequestError);
    expect(refused).toMatchObject({ status: 429, retryAfterSeconds: 43_199 });
    expect(apiCalls().map((request) => `${request.method} ${request.url}`)).toEqual([
      'POST /api/alerts/rule_1/test',
    ]);
  });
});
