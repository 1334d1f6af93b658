// One account per email address across the two ways in: the operator CLI (`npm run admin --
// create-account`) and a dashboard sign-up (the account is created on the first GET /api/me).
import { SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCommand } from '#local/admin-commands.ts';
import {
  type DashboardApiStack,
  expectApiError,
  startDashboardApiStack,
  TEST_PASSWORD,
} from '../support/dashboard-api-stack.ts';

let stack: DashboardApiStack;
beforeAll(async () => {
  stack = await startDashboardApiStack();
});
afterAll(async () => {
  await stack?.close();
});

function admin(command: string, options: Record<string, string>) {
  return runAdminCommand(stack.metrion.data, { command, options, readStdin: async () => '' });
}

/** Signs up in Cognito with `email` (confirmed at once locally) and signs in. */
async function signUp(email: string) {
  const { clientId } = stack.metrion.cognito;
  await stack.cognito.send(
    new SignUpCommand({
      ClientId: clientId,
      Username: email,
      Password: TEST_PASSWORD,
      UserAttributes: [{ Name: 'email', Value: email }],
    }),
  );
  return stack.signIn(email, clientId);
}

describe('one account per email address', () => {
  it('refuses a dashboard sign-up with an address the CLI created an account for', async () => {
    // Arrange
    await admin('create-account', { email: 'cli-first@example.com' });
    const user = await signUp('cli-first@example.com');

    // Act
    const me = await stack.api('/api/me', { as: user });

    // Assert: refused, and still refused (no second account was created meanwhile)
    expectApiError(me, 409, 'email_taken', /already uses this email address/);
    expectApiError(await stack.api('/api/me', { as: user }), 409, 'email_taken');
  });

  it('lets the CLI find a dashboard account by email, and refuses to create a second one', async () => {
    // Arrange
    const user = await signUp('dashboard-first@example.com');
    const { accountId } = (await stack.api('/api/me', { as: user })).json;

    // Act
    const key = await admin('show-key', { email: 'dashboard-first@example.com' });
    const second = await admin('create-account', { email: 'dashboard-first@example.com' }).catch(
      (error: Error) => error.message,
    );

    // Assert
    expect(key).toBe((await stack.api('/api/settings/metrion-key', { as: user })).json.metrionKey);
    expect(second).toContain(`already has an account: ${accountId}.`);
  });
});
