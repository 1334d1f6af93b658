// The Budgets page in real Chromium against the local stack: a Free account starts from the
// empty state, creates its one budget for all requests (the form shows the API's own message for
// a bad limit first), sends traffic through the proxy with the openai SDK (one request fits, one
// could cross the limit and is refused with 402) and sees spent, blocked and the bar, and the
// refusal in Logs; made Pro,
// it adds a tag budget, edits it, pauses and resumes it, and deletes it after confirmation.
// The steps share one session, in order.
import OpenAI, { APIError } from 'openai';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_OPENAI_API_KEY } from '../fixtures/fake-openai-server.ts';
import { type DashboardStack, startDashboardStack } from './support/dashboard-stack.ts';
import { updateSignedInProfile } from './support/signed-in-account.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'Corr3ct-Horse-Battery!';

/** Retries a read: the page fills in after its API calls answer. */
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 10_000, interval: 100 });

let stack: DashboardStack;
let page: Page;
let metrionKey = '';

beforeAll(async () => {
  stack = await startDashboardStack();
  page = stack.page;
});

afterAll(async () => {
  await stack?.close();
});

function card(name: string): Locator {
  return page.locator('li.budget').filter({ has: page.getByRole('heading', { name }) });
}

async function figure(name: string, field: 'spent' | 'reserved' | 'limit' | 'blocked') {
  return ((await card(name).locator(`[data-${field}]`).textContent()) ?? '').trim();
}

function openai(): OpenAI {
  return new OpenAI({
    baseURL: stack.metrion.proxyBaseUrls.openai,
    apiKey: FAKE_OPENAI_API_KEY,
    defaultHeaders: { 'x-metrion-token': metrionKey },
    maxRetries: 0,
  });
}

describe('budgets page', () => {
  it('guides a new account from the empty state, reached from the navigation', async () => {
    await page.goto('/sign-up');
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/integrate');
    await poll(() => page.locator('#metrion-key').textContent()).toMatch(/^sk-metrion-/);
    metrionKey = (await page.locator('#metrion-key').textContent()) ?? '';

    await page.getByRole('link', { name: 'Budgets' }).click();
    await page.waitForURL('**/budgets');

    const empty = page.locator('[data-empty-budgets]');
    await empty.waitFor();
    const guide = (await empty.textContent()) ?? '';
    expect(guide).toContain('No budgets yet.');
    expect(guide).toContain('before the provider is paid: HTTP 402 budget_exceeded');
    expect(guide).toContain('emails you at 90% and 100%');
    expect(guide).toContain('Pro adds budgets for one provider, model, requester or tag.');
    await stack.screenshotBothWidths('budgets-01-empty');
  });

  it('checks the limit with the API schema before sending, then creates the Free budget', async () => {
    await page.getByRole('button', { name: 'Create your first budget' }).click();
    await page.getByRole('heading', { name: 'New budget' }).waitFor();
    // Free: one budget, for all requests.
    expect(await page.getByLabel('Applies to').locator('option').allTextContents()).toEqual([
      'All requests',
    ]);
    expect(await page.getByText('are part of Pro').count()).toBe(1);

    await page.getByLabel('Name', { exact: true }).fill('Whole account');
    await page.getByLabel('Limit', { exact: true }).fill('0.015');
    await page.getByRole('button', { name: 'Create budget' }).click();

    const limit = page.getByLabel('Limit', { exact: true });
    await poll(() => limit.getAttribute('aria-invalid')).toBe('true');
    const errorId = (await limit.getAttribute('aria-describedby'))?.split(' ').at(-1);
    expect(await page.locator(`#${errorId}`).textContent()).toBe(
      'limit has at most two decimals (whole cents).',
    );
    await stack.screenshotBothWidths('budgets-02-new-validation');

    await limit.fill('0.01');
    await page.getByRole('button', { name: 'Create budget' }).click();
    await page.getByRole('heading', { name: 'New budget' }).waitFor({ state: 'detached' });

    await page.getByText('Created “Whole account”.').waitFor();
    expect(await figure('Whole account', 'spent')).toBe('$0.00 (0%)');
    expect(await figure('Whole account', 'limit')).toBe('$0.01');
    expect(await figure('Whole account', 'blocked')).toBe('0');
    expect(await page.getByRole('button', { name: 'New budget' }).isEnabled()).toBe(false);
    expect(await page.locator('.card__hint').textContent()).toContain('Free includes 1 budget.');
  });

  it('shows what the proxy admitted and what it refused before the provider', async () => {
    const client = openai();
    const seenBefore = stack.openai.requests.length;
    // gpt-4o-mini: $0.15 input, $0.60 output per million tokens.
    stack.openai.setScenario({ kind: 'ok', tokens: { inputTokens: 1000, outputTokens: 500 } });
    await client.chat.completions.create({
      model: 'gpt-4o-mini',
      max_tokens: 600,
      messages: [{ role: 'user', content: 'hi' }],
    });

    // 20,000 output tokens could cost $0.012: more than the $0.01 limit.
    const refused = await client.chat.completions
      .create({
        model: 'gpt-4o-mini',
        max_tokens: 20_000,
        messages: [{ role: 'user', content: 'hi' }],
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );

    expect(refused).toBeInstanceOf(APIError);
    expect((refused as APIError).status).toBe(402);
    expect((refused as APIError).message).toContain('Whole account');
    expect(stack.openai.requests.length - seenBefore).toBe(1);

    // 1,000 x $0.15/M + 500 x $0.60/M = $0.00045, 4.5% of $0.01, once the stream settles it.
    await poll(async () => {
      await page.reload();
      await card('Whole account').waitFor();
      return figure('Whole account', 'spent');
    }).toBe('$0.00045 (4.5%)');
    expect(await figure('Whole account', 'reserved')).toBe('$0.00');
    expect(await figure('Whole account', 'blocked')).toBe('1');
    await stack.screenshotBothWidths('budgets-03-spent-and-blocked');

    // Logs show what was stopped, and by which budget.
    await page.getByRole('link', { name: 'Logs' }).click();
    await page.waitForURL('**/logs');
    const blocked = page.locator('[data-log-row] [data-blocked]');
    await blocked.waitFor();
    expect(await blocked.allTextContents()).toEqual(['Blocked: Whole account']);
    await stack.screenshot('budgets-04-blocked-in-logs');
    await page.getByRole('link', { name: 'Budgets' }).click();
    await page.waitForURL('**/budgets');
  });

  it('lets a Pro account add a tag budget, edit it, pause and resume it', async () => {
    await updateSignedInProfile(stack, { plan: 'pro', currency: 'EUR' });
    await page.reload();

    await page.getByRole('button', { name: 'New budget' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Search');
    await page.getByLabel('Limit', { exact: true }).fill('50');
    await page.getByLabel('Applies to').selectOption('tag');
    await page.getByLabel('Tag', { exact: true }).fill('feature:search');
    await page.getByLabel('When the limit is near').selectOption('notify');
    expect(await page.getByLabel('Unpriced models').count()).toBe(0);
    expect(await page.locator('.affixed__affix').textContent()).toBe('€');
    await stack.screenshotBothWidths('budgets-05-new-tag-budget');
    await page.getByRole('button', { name: 'Create budget' }).click();

    await page.getByText('Created “Search”.').waitFor();
    expect(await card('Search').locator('.budget__scope').textContent()).toBe(
      'Tag feature:search · per month (UTC)',
    );
    expect(await figure('Search', 'limit')).toBe('€50.00');

    await page.getByRole('button', { name: 'Edit Search' }).click();
    expect(await page.getByLabel('Limit', { exact: true }).inputValue()).toBe('50');
    await page.getByLabel('Limit', { exact: true }).fill('75.5');
    await page.getByRole('button', { name: 'Save budget' }).click();
    await page.getByText('Saved “Search”.').waitFor();
    expect(await figure('Search', 'limit')).toBe('€75.50');

    await page.getByRole('button', { name: 'Pause Search' }).click();
    const dialog = page.getByRole('dialog', { name: 'Pause “Search”?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Pause budget' }).click();
    await page.getByText('Paused “Search”.').waitFor();
    expect(await card('Search').locator('.budget__paused').textContent()).toBe('Paused');
    await stack.screenshotBothWidths('budgets-06-two-budgets-one-paused');

    await page.getByRole('button', { name: 'Resume Search' }).click();
    await page.getByText('Resumed “Search”.').waitFor();
    expect(await card('Search').locator('.budget__paused').count()).toBe(0);
  });

  it('deletes a budget only after confirmation', async () => {
    await page.getByRole('button', { name: 'Delete Search' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete “Search”?' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await card('Search').count()).toBe(1);

    await page.getByRole('button', { name: 'Delete Search' }).click();
    await dialog.waitFor();
    await stack.screenshot('budgets-07-delete-confirm');
    await dialog.getByRole('button', { name: 'Delete budget' }).click();

    await page.getByText('Deleted “Search”.').waitFor();
    expect(await card('Search').count()).toBe(0);
    expect(await page.locator('li.budget').count()).toBe(1);
  });

  it('logged no browser errors', () => {
    expect(stack.browserErrors).toEqual([]);
  });
});
