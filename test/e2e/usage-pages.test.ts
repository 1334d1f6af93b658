// Dashboard and Logs in real Chromium: traffic through the proxy with the official openai SDK
// (successes and one provider error), then the numbers on the Dashboard, the rows in Logs, the
// error detail, EUR, a model filter and the CSV export.
import { readFile } from 'node:fs/promises';
import OpenAI from 'openai';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_OPENAI_API_KEY } from '../fixtures/fake-openai-server.ts';
import { type DashboardStack, startDashboardStack } from './support/dashboard-stack.ts';

const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 200 });

let stack: DashboardStack;
let page: Page;

beforeAll(async () => {
  stack = await startDashboardStack();
  page = stack.page;
});

afterAll(async () => {
  await stack?.close();
});

describe('dashboard and logs', () => {
  it('shows proxied traffic on every tab, in Logs, in EUR, filtered and as CSV', async () => {
    await page.goto('/sign-up');
    await page.getByLabel('Email').fill('grace@example.com');
    await page.getByLabel('Password').fill('Corr3ct-Horse-Battery!');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/integrate');
    await poll(() => page.locator('#metrion-key').textContent()).toMatch(/^sk-metrion-/);
    const metrionKey = (await page.locator('#metrion-key').textContent()) ?? '';

    const openai = new OpenAI({
      baseURL: stack.metrion.proxyBaseUrls.openai,
      apiKey: FAKE_OPENAI_API_KEY,
      defaultHeaders: { 'x-metrion-token': metrionKey },
      maxRetries: 0,
    });
    for (const model of ['gpt-4o-mini', 'gpt-4o-mini', 'gpt-4o']) {
      await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
    }
    stack.openai.setScenario({
      kind: 'error',
      status: 400,
      body: { error: { message: 'Invalid value for temperature', type: 'invalid_request_error' } },
    });
    await openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], temperature: 9 })
      .catch(() => undefined);
    stack.openai.setScenario({ kind: 'ok' });

    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.waitForURL('**/dashboard');
    const requests = page.getByTestId('card-requests').locator('[data-value]');
    await poll(async () => {
      await page.reload();
      await requests.waitFor();
      return requests.textContent();
    }).toBe('4');
    expect(await page.getByTestId('card-errors').locator('[data-value]').textContent()).toBe('1');
    expect(await page.locator('[data-fx]').textContent()).toContain('USD');
    await stack.screenshot('20-dashboard-overview');
    for (const tab of ['Costs', 'Tokens', 'Latency', 'Errors']) {
      await page.getByRole('tab', { name: tab }).click();
      await page.locator('#dashboard-panel .dash-card').first().waitFor();
      await stack.screenshot(`21-dashboard-${tab.toLowerCase()}`);
    }
    expect(await page.getByTestId('recent-errors').textContent()).toContain(
      'Invalid value for temperature',
    );

    await page.getByRole('link', { name: 'Logs' }).click();
    await page.waitForURL('**/logs');
    await poll(() => page.locator('[data-log-row]').count()).toBe(4);
    expect(await page.locator('[data-total-count]').getAttribute('data-total-count')).toBe('4');
    await stack.screenshot('30-logs');
    await page.locator('[data-log-row][data-status="400"]').getByRole('button').click();
    await poll(() => page.locator('[data-error-message]').textContent()).toContain(
      'Invalid value for temperature',
    );
    await stack.screenshot('31-logs-detail');
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();

    // The fake answers with dated model ids (gpt-4o-2024-…): pick the non-mini one.
    const models = await page.getByLabel('Model').locator('option').allTextContents();
    const gpt4o = models.find((model) => model.startsWith('gpt-4o') && !model.includes('mini'));
    await page.getByLabel('Model').selectOption(gpt4o ?? 'gpt-4o');
    await poll(() => page.locator('[data-log-row]').count()).toBe(1);
    expect(page.url()).toContain('model=gpt-4o');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    const csv = await readFile((await download.path()) ?? '', 'utf8');
    const lines = csv.trim().split(/\r\n/);
    expect(lines[0]).toMatch(/^request_id,/);
    expect(lines).toHaveLength(2);

    await page.goto('/settings');
    await page.getByLabel('Euro (EUR)').check();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Settings saved.').waitFor();
    await page.goto('/dashboard');
    await poll(() => page.locator('[data-fx]').textContent()).toContain('EUR');
    expect(await page.getByTestId('card-cost').locator('[data-value]').textContent()).toContain(
      '€',
    );
    await stack.screenshot('22-dashboard-eur');
    expect(stack.browserErrors).toEqual([]);
  }, 110_000);
});
