// The dashboard journey of a new customer in real Chromium against the local stack: sign up,
// integrate with the official openai SDK, then every Settings page. The steps share one browser
// session and run in order, as a customer would go through them.
import OpenAI from 'openai';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDERS } from '#core/providers/provider-registry.ts';
import { FAKE_OPENAI_API_KEY } from '../fixtures/fake-openai-server.ts';
import { type DashboardStack, startDashboardStack } from './support/dashboard-stack.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'Corr3ct-Horse-Battery!';
const METRION_KEY = /^sk-metrion-[0-9a-f]{32}$/;

/** Retries a browser read: pages fill in after their API calls answer. */
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 10_000, interval: 100 });

let stack: DashboardStack;
let page: Page;
let firstKey: string;

beforeAll(async () => {
  stack = await startDashboardStack();
  page = stack.page;
});

afterAll(async () => {
  await stack?.close();
});

function chat(apiKey: string) {
  const client = new OpenAI({
    baseURL: stack.metrion.proxyBaseUrls.openai,
    apiKey,
    maxRetries: 0,
  });
  return client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Hello from the e2e test' }],
  });
}

async function displayedKey(): Promise<string> {
  const key = (await page.locator('#metrion-key').textContent()) ?? '';
  expect(key).toMatch(METRION_KEY);
  return key;
}

describe('dashboard journey', () => {
  it('signs up and lands on Integrate with the Metrion Key at the top', async () => {
    await page.goto('/sign-up');
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await stack.screenshotBothWidths('01-sign-up');

    await page.getByRole('button', { name: 'Create account' }).click();

    await page.waitForURL('**/integrate');
    await poll(() => page.locator('#metrion-key').textContent()).toMatch(METRION_KEY);
    firstKey = await displayedKey();
    await poll(() => page.locator('[data-session-email]').textContent()).toBe(EMAIL);
    await stack.screenshotBothWidths('02-integrate-new-account');
  });

  it('shows an empty Dashboard as one "Send your first request" card that leads to Integrate', async () => {
    await page.getByRole('link', { name: 'Dashboard' }).click();

    const card = page.getByTestId('first-request-card');
    await card.waitFor();
    expect(await card.getByRole('heading').textContent()).toBe('Send your first request');
    // Nothing else: no cards of zeros, no charts.
    expect(await page.locator('#dashboard-panel .dash-card').count()).toBe(0);
    expect(await page.locator('#dashboard-panel canvas').count()).toBe(0);
    await stack.screenshotBothWidths('16-dashboard-empty');
    await page.getByRole('link', { name: 'Logs' }).click();
    await page.getByTestId('first-request-card').waitFor();
    await stack.screenshotBothWidths('17-logs-empty');

    await page
      .getByTestId('first-request-card')
      .getByRole('link', { name: 'Go to Integrate' })
      .click();
    await page.waitForURL('**/integrate');
    await poll(() => page.locator('#metrion-key').textContent()).toBe(firstKey);
  });

  it('copies the Metrion Key to the clipboard', async () => {
    await page.getByRole('button', { name: 'Copy Metrion Key' }).click();

    await poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(firstKey);
    await poll(() => page.getByRole('button', { name: 'Copy Metrion Key' }).textContent()).toBe(
      'Copied',
    );
  });

  it("shows the API's message when a provider key is rejected, then saves a valid one", async () => {
    await page.getByLabel('Provider', { exact: true }).selectOption('openai');
    expect(await page.locator('[data-code-sample]').count()).toBe(0);

    await page.getByLabel('OpenAI API key').fill('not-an-openai-key');
    await page.getByRole('button', { name: 'Save key' }).click();
    const rejection = page.getByRole('alert');
    await rejection.waitFor();
    expect(await rejection.textContent()).toMatch(/OpenAI/);

    await page.getByLabel('OpenAI API key').fill(FAKE_OPENAI_API_KEY);
    await page.getByRole('button', { name: 'Save key' }).click();

    await page.getByText('OpenAI key saved.').waitFor();
    expect(await page.getByLabel('OpenAI API key').inputValue()).toBe('');
    expect(await page.getByLabel('Provider', { exact: true }).textContent()).toContain(
      'OpenAI (saved)',
    );
  });

  it('shows ready-to-paste TypeScript and Python samples for stored and pass-through mode', async () => {
    const sample = page.locator('[data-code-sample]');
    const baseUrl = stack.metrion.proxyBaseUrls.openai;

    const typescriptStored = (await sample.textContent()) ?? '';
    expect(typescriptStored).toContain("import OpenAI from 'openai'");
    expect(typescriptStored).toContain(`baseURL: '${baseUrl}'`);
    expect(typescriptStored).toContain(`apiKey: '${firstKey}'`);
    await stack.screenshotBothWidths('03-integrate-samples');

    await page.getByRole('radio', { name: 'Pass-through' }).check();
    const typescriptPassThrough = (await sample.textContent()) ?? '';
    expect(typescriptPassThrough).toContain('apiKey: process.env.OPENAI_API_KEY');
    expect(typescriptPassThrough).toContain(`'x-metrion-token': '${firstKey}'`);

    await page.getByRole('radio', { name: 'Python' }).check();
    const pythonPassThrough = (await sample.textContent()) ?? '';
    expect(pythonPassThrough).toContain('from openai import OpenAI');
    expect(pythonPassThrough).toContain(`base_url="${baseUrl}"`);
    expect(pythonPassThrough).toContain(`default_headers={"x-metrion-token": "${firstKey}"}`);

    await page.getByRole('radio', { name: 'Stored key' }).check();
    expect(await sample.textContent()).toContain(`api_key="${firstKey}"`);
  });

  it('confirms the first request sent with the openai SDK within seconds', async () => {
    expect(await page.locator('[data-first-request="waiting"]').isVisible()).toBe(true);

    const completion = await chat(firstKey);

    expect(completion.choices[0]?.message.content).toBeTruthy();
    await page.locator('[data-first-request="received"]').waitFor({ timeout: 10_000 });
    await stack.screenshotBothWidths('04-integrate-first-request');
  });

  it('changes display name and currency in General settings', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL('**/settings');
    const name = page.getByLabel('Display name');
    await name.waitFor();
    expect(await page.locator('#account-email').textContent()).toBe(EMAIL);
    // The Cognito user id is the account id (what `npm run admin -- --account` takes).
    expect(await page.locator('#account-id').textContent()).toMatch(/^[0-9a-f-]{36}$/);

    await name.fill('  Ada Lovelace  ');
    await page.getByLabel('Swiss franc (CHF)').check();
    await page.getByRole('button', { name: 'Save changes' }).click();

    await page.getByText('Settings saved.').waitFor();
    expect(await name.inputValue()).toBe('Ada Lovelace');
    await stack.screenshotBothWidths('05-settings-general');
    await page.reload();
    await poll(() => page.getByLabel('Display name').inputValue()).toBe('Ada Lovelace');
    expect(await page.getByLabel('Swiss franc (CHF)').isChecked()).toBe(true);
  });

  it('regenerates the Metrion Key after confirmation: the old key fails, the new one works', async () => {
    await page.getByRole('navigation', { name: 'Settings' }).getByText('Metrion Key').click();
    await page.waitForURL('**/settings/token');
    await poll(() => page.locator('#metrion-key').textContent()).toBe(firstKey);

    await page.getByRole('button', { name: 'Regenerate key…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Regenerate the Metrion Key?' });
    await dialog.waitFor();
    await stack.screenshotBothWidths('06-settings-token-confirm');
    // Cancel first: nothing changes.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await displayedKey()).toBe(firstKey);

    await page.getByRole('button', { name: 'Regenerate key…' }).click();
    await dialog.getByRole('button', { name: 'Regenerate key' }).click();

    await page.getByText('New key created.').waitFor();
    const newKey = await displayedKey();
    expect(newKey).not.toBe(firstKey);
    await expect(chat(firstKey)).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await expect(chat(newKey)).resolves.toMatchObject({ object: 'chat.completion' });
    await stack.screenshotBothWidths('07-settings-token-regenerated');
  });

  it('lists the provider key without the key, deletes it after confirmation and links to revoke it', async () => {
    await page.goto('/settings/providers');
    const row = page.getByRole('row', { name: /OpenAI/ });
    await row.waitFor();
    const content = (await page.locator('main').textContent()) ?? '';
    expect(content).not.toContain(FAKE_OPENAI_API_KEY.slice(-8));
    expect(await row.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    await stack.screenshotBothWidths('08-settings-providers');

    await page.getByRole('button', { name: 'Delete OpenAI key' }).click();
    await page
      .getByRole('dialog', { name: 'Delete the OpenAI key?' })
      .getByRole('button', { name: 'Delete key' })
      .click();

    const revoke = page.getByRole('link', { name: /Revoke it in the OpenAI console/ });
    await revoke.waitFor();
    expect(await revoke.getAttribute('href')).toBe(PROVIDERS.openai.consoleKeysUrl);
    expect(await page.getByText('No provider keys saved.').isVisible()).toBe(true);
    await stack.screenshotBothWidths('09-settings-providers-deleted');
  });

  it("shows the plan with Pro's price and this month's requests against the Free cap", async () => {
    await page.goto('/settings/billing');
    await page.getByText('You are on the Free plan.').waitFor();
    expect(await page.getByText('10,000 per calendar month (UTC)').isVisible()).toBe(true);
    // The local default price, and this account's two proxied requests (the one sent with the
    // regenerated key counts in the same month as the first).
    expect(await page.locator('[data-plan-price="pro"]').textContent()).toBe('$29.00 per month');
    expect(await page.locator('[data-month-usage]').textContent()).toMatch(
      /^2 of 10,000 proxy requests this month\. Resets on \w{3} 1, \d{4} \(UTC\)\.$/,
    );
    await stack.screenshotBothWidths('10-settings-billing');

    await page.goto('/settings/alerts');
    await page.getByRole('link', { name: 'Go to Alerts' }).waitFor();
    await stack.screenshotBothWidths('11-settings-alerts');
    await page.getByRole('link', { name: 'Go to Alerts' }).click();
    await page.waitForURL('**/alerts');
    await page.getByRole('heading', { name: 'Alert rules come with Pro' }).waitFor();
    await stack.screenshotBothWidths('12-alerts');
  });

  it('signs out, then sends a visitor to sign-in and back to the page they asked for', async () => {
    await page.getByRole('link', { name: 'Sign out' }).click();
    await page.waitForURL('**/sign-out');
    await page.getByRole('heading', { name: 'You are signed out' }).waitFor();

    await page.goto('/settings/token');
    await page.waitForURL('**/sign-in?next=%2Fsettings%2Ftoken');
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('Email or password is incorrect.').waitFor();
    await stack.screenshotBothWidths('15-sign-in-error');

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/settings/token');
    await displayedKey();
  });

  it('raised no script error and no CSP violation on any page', () => {
    expect(stack.browserErrors).toEqual([]);
  });
});
