// Settings > Security in real Chromium against the local stack (cognito-local, MFA optional like
// the AWS pool): set up an authenticator app from the page's key, then sign out and back in with
// the password and the app's code. Screenshots go to test-artifacts/e2e/security-*.png.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../fixtures/totp.ts';
import { type DashboardStack, startDashboardStack } from './support/dashboard-stack.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'Corr3ct-Horse-Battery!';

let stack: DashboardStack;
let page: Page;
let setupKey: string;

beforeAll(async () => {
  stack = await startDashboardStack();
  page = stack.page;
});

afterAll(async () => {
  await stack?.close();
});

describe('Authenticator app journey', () => {
  it('is off at first, and sets up from the key the page shows and a code from the app', async () => {
    await page.goto('/sign-up');
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/integrate');

    await page.getByRole('link', { name: 'Settings' }).first().click();
    await page
      .getByRole('navigation', { name: 'Settings' })
      .getByRole('link', { name: 'Security' })
      .click();
    await page.waitForURL('**/settings/security');
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    setupKey = ((await page.locator('#authenticator-setup-key').textContent()) ?? '').replaceAll(
      ' ',
      '',
    );
    expect(setupKey).toMatch(/^[A-Z2-7]{16,}$/);
    await stack.screenshot('security-01-setup');

    await page.getByLabel('Authenticator code').fill(totpCode(setupKey));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByText('Authenticator app on.').waitFor();
    expect(await page.getByRole('button', { name: 'Turn off…' }).isVisible()).toBe(true);
    await stack.screenshot('security-02-on');
  });

  it('asks for the code after the password at the next sign-in', async () => {
    await page.goto('/sign-out');
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const code = page.getByLabel('Authenticator code');
    await code.waitFor();
    await stack.screenshot('security-03-code-step');

    await code.fill(totpCode(setupKey));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/integrate');
    expect(stack.browserErrors).toEqual([]);
  });
});
