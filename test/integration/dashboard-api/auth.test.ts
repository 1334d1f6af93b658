import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import {
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, SignJWT } from 'jose';
import { beforeAll, describe, expect } from 'vitest';
import { API_ROUTES } from '#contracts/api-routes.ts';
import {
  type DashboardApiStack,
  dashboardApiTest,
  expectApiError,
  expectResponseOf,
  TEST_PASSWORD,
  type TestUser,
} from '../support/dashboard-api-stack.ts';

const it = dashboardApiTest();
/** cognito-local signs every token with this key (shipped in the package, like its JWKS). */
let cognitoLocalKey: CryptoKey;

beforeAll(async () => {
  const keyFile = createRequire(import.meta.url).resolve(
    'cognito-local/lib/keys/cognitoLocal.private.json',
  );
  const { jwk } = JSON.parse(await readFile(keyFile, 'utf8')) as { jwk: JWK };
  cognitoLocalKey = (await importJWK(jwk, 'RS256')) as CryptoKey;
});

const JWT_ROUTES = Object.values(API_ROUTES).filter((route) => route.auth === 'jwt');
const concrete = (path: string) => path.replace('{provider}', 'openai');

function claimsOf(token: string): JWTPayload {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
}

/** A token like cognito-local's ID tokens, with `overrides`, signed by `key` (kid CognitoLocal). */
async function craftToken(
  user: TestUser,
  overrides: JWTPayload,
  key: CryptoKey = cognitoLocalKey,
  alg = 'RS256',
): Promise<string> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const claims: JWTPayload = {
    ...claimsOf(user.idToken),
    iat: nowSeconds - 60,
    exp: nowSeconds + 3600,
    ...overrides,
  };
  return new SignJWT(claims).setProtectedHeader({ alg, kid: 'CognitoLocal', typ: 'JWT' }).sign(key);
}

async function meWith(stack: DashboardApiStack, token: string) {
  return stack.api('/api/me', { headers: { authorization: `Bearer ${token}` } });
}

function expectUnauthorized(answer: Awaited<ReturnType<typeof meWith>>, message?: string | RegExp) {
  expectApiError(answer, 401, 'unauthorized', message);
  expect(answer.headers.get('www-authenticate')).toBe('Bearer');
}

describe('sign-in tokens', () => {
  it('accepts the real ID token of a signed-in user', async ({ stack, user }) => {
    expectResponseOf('getMe', await meWith(stack, user.idToken));
  });

  it("accepts a token crafted with cognito-local's own key (control for the tests below)", async ({
    stack,
    user,
  }) => {
    expectResponseOf('getMe', await meWith(stack, await craftToken(user, {})));
  });

  it.for(JWT_ROUTES.map((route) => [route.method, concrete(route.path)] as const))(
    'rejects %s %s without a token',
    async ([method, path], { stack }) => {
      const answer = await stack.api(path, {
        method,
        body: method === 'PUT' || method === 'PATCH' ? {} : undefined,
      });
      expectUnauthorized(answer, 'Sign in first');
    },
  );

  it.for<[string, string]>([
    ['Basic credentials', `Basic ${Buffer.from('a:b').toString('base64')}`],
    ['an empty Bearer', 'Bearer '],
    ['two tokens', 'Bearer a b'],
    ['garbage', 'Bearer not-a-jwt'],
  ])('rejects %s', async ([_, authorization], { stack }) => {
    expectUnauthorized(await stack.api('/api/me', { headers: { authorization } }));
  });

  it('rejects a token whose payload was changed (signature no longer matches)', async ({
    stack,
    user,
  }) => {
    const [header, , signature] = user.idToken.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...claimsOf(user.idToken), sub: 'someone-else', email: 'x@example.com' }),
    ).toString('base64url');
    expectUnauthorized(await meWith(stack, `${header}.${forged}.${signature}`), 'Sign in again');
  });

  it('rejects a token whose signature was changed', async ({ stack, user }) => {
    const [header, payload, signature = ''] = user.idToken.split('.');
    const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
    expectUnauthorized(await meWith(stack, `${header}.${payload}.${flipped}`), 'Sign in again');
  });

  it('rejects a token signed with another key under the same key id', async ({ stack, user }) => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    expect((await exportJWK(publicKey)).kty).toBe('RSA');
    expectUnauthorized(
      await meWith(stack, await craftToken(user, {}, privateKey)),
      'Sign in again',
    );
  });

  it('rejects an unsigned token (alg none)', async ({ stack, user }) => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify(claimsOf(user.idToken))).toString('base64url');
    expectUnauthorized(await meWith(stack, `${header}.${payload}.`));
  });

  it('rejects an expired token, saying the session expired', async ({ stack, user }) => {
    const nowSeconds = Math.floor(Date.now() / 1000);
    const expired = await craftToken(user, { iat: nowSeconds - 7200, exp: nowSeconds - 3600 });
    expectUnauthorized(await meWith(stack, expired), 'Your session has expired. Sign in again.');
  });

  it.for<[string, JWTPayload]>([
    [
      'another issuer',
      { iss: 'https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_Other' },
    ],
    ['another audience', { aud: 'some-other-client' }],
    ['token_use access', { token_use: 'access' }],
    ['no email', { email: undefined }],
  ])('rejects an otherwise valid token with %s', async ([_, overrides], { stack, user }) => {
    expectUnauthorized(await meWith(stack, await craftToken(user, overrides)));
  });

  it('rejects the real access token: the API takes ID tokens', async ({ stack, user }) => {
    expectUnauthorized(await meWith(stack, user.accessToken), 'ID token');
  });

  it('rejects a real token from another user pool', async ({ stack }) => {
    // Arrange: a second pool with its own client, on the same cognito-local (same signing key).
    const pool = await stack.cognito.send(
      new CreateUserPoolCommand({ PoolName: 'foreign', UsernameAttributes: ['email'] }),
    );
    const client = await stack.cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: pool.UserPool?.Id,
        ClientName: 'foreign-app',
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    const clientId = client.UserPoolClient?.ClientId ?? '';
    const email = `foreign-${Date.now()}@example.com`;
    await stack.cognito.send(
      new SignUpCommand({ ClientId: clientId, Username: email, Password: TEST_PASSWORD }),
    );
    // Act
    const foreign = await stack.signIn(email, clientId);
    // Assert
    expect(claimsOf(foreign.idToken).iss).not.toBe(stack.metrion.cognito.issuer);
    expectUnauthorized(await meWith(stack, foreign.idToken));
  });

  it('rejects a real token issued to another app client of the same pool', async ({
    stack,
    user,
  }) => {
    const client = await stack.cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: stack.metrion.cognito.userPoolId,
        ClientName: 'other-app',
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    const other = await stack.signIn(user.email, client.UserPoolClient?.ClientId ?? '');
    expect(claimsOf(other.idToken).iss).toBe(stack.metrion.cognito.issuer);
    expectUnauthorized(await meWith(stack, other.idToken));
  });

  it('serves the public config whatever the Authorization header says', async ({ stack }) => {
    const answer = await stack.api('/api/config', { headers: { authorization: 'Bearer junk' } });
    expectResponseOf('getConfig', answer);
  });
});
