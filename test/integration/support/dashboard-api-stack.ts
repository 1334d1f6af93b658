// The local composition root with a real cognito-local and a fake OpenAI upstream: what the
// dashboard API tests drive. Users sign up and sign in with the Cognito SDK (real JWTs); the API
// is called with plain fetch. Every secret a test sees is remembered for the log scan.
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import OpenAI from 'openai';
import { expect, test } from 'vitest';
import { API_ROUTES, type ApiRouteName } from '#contracts/api-routes.ts';
import {
  type LocalMetrion,
  type LocalMetrionOptions,
  startLocalMetrion,
} from '#local/local-metrion.ts';
import {
  FAKE_ANTHROPIC_API_KEY,
  startFakeAnthropic,
} from '../../fixtures/fake-anthropic-server.ts';
import { FAKE_OPENAI_API_KEY, startFakeOpenAi } from '../../fixtures/fake-openai-server.ts';
import type { FakeUpstream } from '../../fixtures/fake-upstream-scenarios.ts';

/** A signed-up, signed-in user with real Cognito tokens. */
export interface TestUser {
  readonly email: string;
  readonly idToken: string;
  readonly accessToken: string;
}

export interface ApiCall {
  readonly method?: string;
  /** Sent as `Authorization: Bearer <token>`; an ID token when a TestUser is given. */
  readonly as?: TestUser | string;
  /** A string is sent as is (to test bad JSON); anything else as JSON. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ApiAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test convenience for reading JSON bodies
  readonly json: any;
}

export interface DashboardApiStack {
  readonly metrion: LocalMetrion;
  readonly openai: FakeUpstream;
  /** The Anthropic fake, when the stack was started with `anthropic: true`. */
  readonly anthropic: FakeUpstream | undefined;
  readonly cognito: CognitoIdentityProviderClient;
  /** Every log line the stack wrote. */
  readonly logLines: string[];
  /** Provider keys sent and Metrion Keys received: none may ever reach a log line. */
  readonly secrets: Set<string>;
  /** Signs up (confirmed at once by the local stand-in) and signs in with USER_PASSWORD_AUTH. */
  signUp(label: string): Promise<TestUser>;
  /** Signs up and makes the first `GET /api/me`, which creates the user's account. */
  signUpWithAccount(label: string): Promise<TestUser>;
  /** Signs in an existing user on another app client (foreign-client tests). */
  signIn(
    email: string,
    clientId: string,
    client?: CognitoIdentityProviderClient,
  ): Promise<TestUser>;
  api(path: string, call?: ApiCall): Promise<ApiAnswer>;
  /**
   * Saves the fake upstream's OpenAI key for `user` (stored mode) and returns the user's Metrion
   * Key and an openai client that calls the proxy with it.
   */
  storedOpenAi(user: TestUser): Promise<{ readonly openai: OpenAI; readonly metrionKey: string }>;
  close(): Promise<void>;
}

export const TEST_PASSWORD = 'Corr3ct-Horse-Battery!';

let userCounter = 0;

/** Signs in with USER_PASSWORD_AUTH on the app client `clientId`. */
async function signIn(
  client: CognitoIdentityProviderClient,
  email: string,
  clientId: string,
): Promise<TestUser> {
  const auth = await client.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: TEST_PASSWORD },
    }),
  );
  const idToken = auth.AuthenticationResult?.IdToken;
  const accessToken = auth.AuthenticationResult?.AccessToken;
  if (!idToken || !accessToken) throw new Error('cognito-local returned no tokens');
  return { email, idToken, accessToken };
}

/** Calls the dashboard API as `fetch` would, remembering every Metrion Key an answer shows. */
function apiOf(baseUrl: string, secrets: Set<string>) {
  return async (path: string, call: ApiCall = {}): Promise<ApiAnswer> => {
    const token = typeof call.as === 'string' ? call.as : call.as?.idToken;
    const body =
      call.body === undefined || typeof call.body === 'string'
        ? call.body
        : JSON.stringify(call.body);
    const response = await fetch(`${baseUrl}${path}`, {
      method: call.method ?? 'GET',
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...call.headers,
      },
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    const json = text ? JSON.parse(text) : undefined;
    if (typeof json?.metrionKey === 'string') secrets.add(json.metrionKey);
    return { status: response.status, headers: response.headers, text, json };
  };
}

export type DashboardApiStackOptions = Pick<LocalMetrionOptions, 'fxRatesUrl' | 'clock'> & {
  /** Also start a fake Anthropic upstream. @default false */
  readonly anthropic?: boolean;
};

export async function startDashboardApiStack(
  options: DashboardApiStackOptions = {},
): Promise<DashboardApiStack> {
  const { anthropic: withAnthropic = false, ...localOptions } = options;
  const openai = await startFakeOpenAi();
  const anthropic = withAnthropic ? await startFakeAnthropic() : undefined;
  const logLines: string[] = [];
  const metrion = await startLocalMetrion({
    upstreamOrigins: {
      openai: openai.origin,
      ...(anthropic === undefined ? {} : { anthropic: anthropic.origin }),
    },
    logWrite: (line) => logLines.push(line),
    ...localOptions,
  });
  const cognito = new CognitoIdentityProviderClient({
    endpoint: metrion.cognito.endpoint,
    region: metrion.cognito.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const secrets = new Set<string>([FAKE_OPENAI_API_KEY, FAKE_ANTHROPIC_API_KEY]);

  async function signUp(label: string): Promise<TestUser> {
    userCounter += 1;
    const email = `${label}-${userCounter}-${Date.now()}@example.com`;
    const signedUp = await cognito.send(
      new SignUpCommand({
        ClientId: metrion.cognito.clientId,
        Username: email,
        Password: TEST_PASSWORD,
        UserAttributes: [{ Name: 'email', Value: email }],
      }),
    );
    expect(signedUp.UserConfirmed).toBe(true);
    return signIn(cognito, email, metrion.cognito.clientId);
  }

  const api = apiOf(metrion.url, secrets);

  return {
    metrion,
    openai,
    anthropic,
    cognito,
    logLines,
    secrets,
    signUp,
    async signUpWithAccount(label) {
      const user = await signUp(label);
      expectResponseOf('getMe', await api('/api/me', { as: user }));
      return user;
    },
    signIn: (email, clientId, client = cognito) => signIn(client, email, clientId),
    api,
    async storedOpenAi(user) {
      await api('/api/settings/providers/openai', {
        method: 'PUT',
        as: user,
        body: { key: FAKE_OPENAI_API_KEY },
      });
      const metrionKey = (await api('/api/settings/metrion-key', { as: user })).json.metrionKey;
      const openai = new OpenAI({
        apiKey: metrionKey,
        baseURL: metrion.proxyBaseUrls.openai,
        maxRetries: 0,
      });
      return { openai, metrionKey };
    },
    async close() {
      cognito.destroy();
      await metrion.close();
      await openai.close();
      await anthropic?.close();
    },
  };
}

/** Asserts that a JSON body is exactly what the route's response schema describes. */
export function expectResponseOf(name: ApiRouteName, answer: ApiAnswer): void {
  expect(answer.status, answer.text).toBe(200);
  // The schemas strip unknown keys, so equality also proves there is no extra field.
  expect(API_ROUTES[name].response.parse(answer.json)).toEqual(answer.json);
}

/** Asserts a dashboard error: status, `{ error: { code, message } }`, message content. */
export function expectApiError(
  answer: ApiAnswer,
  status: number,
  code: string,
  message?: string | RegExp,
): void {
  expect(answer.status, answer.text).toBe(status);
  expect(answer.json).toEqual({ error: { code, message: expect.any(String) } });
  if (message !== undefined) expect(answer.json.error.message).toMatch(message);
}

/** No secret the suite handled appears in any log line (the logger must never see them). */
export function expectNoSecretsInLogs(stack: DashboardApiStack): void {
  expect(stack.logLines.length).toBeGreaterThan(0);
  const logs = stack.logLines.join('\n');
  for (const secret of stack.secrets) {
    expect(logs.includes(secret), `a secret ending in ${secret.slice(-4)} was logged`).toBe(false);
  }
}

/**
 * `it` with the file's dashboard API stack as its `stack` fixture (started when the file's first
 * test asks for it, closed after the file's last test) and `user`, one signed-up user of the file
 * whose account exists.
 */
export function dashboardApiTest(options: DashboardApiStackOptions = {}) {
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern (none here).
  const withStack = test.extend('stack', { scope: 'file' }, async ({}, { onCleanup }) => {
    const stack = await startDashboardApiStack(options);
    onCleanup(() => stack.close());
    return stack;
  });
  return withStack.extend('user', { scope: 'file' }, ({ stack }) =>
    stack.signUpWithAccount('user'),
  );
}
