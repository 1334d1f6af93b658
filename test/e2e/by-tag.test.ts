// The "By tag" view in real Chromium: tagged traffic through the proxy with the openai SDK, the
// Integrate page's tag samples, the Dashboard's By tag tab (key picker, values by cost, the
// drill-down into a tag filter on every tab), the tag filter field and the tags in Logs.
// Screenshots at 1280 px and phone width land in test-artifacts/e2e/.
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

// gpt-4o-mini at its published $0.15 in / $0.60 out per million tokens:
// search 100,000 in / 20,000 out = $0.015 + $0.012 = $0.027, twice: $0.054;
// chat 300,000 in / 50,000 out = $0.045 + $0.030 = $0.075;
// batch 10,000 in / 2,000 out = $0.0015 + $0.0012 = $0.0027.
const TRAFFIC = [
  { feature: 'search', customer: 'acme', tokens: { inputTokens: 100_000, outputTokens: 20_000 } },
  { feature: 'search', customer: 'globex', tokens: { inputTokens: 100_000, outputTokens: 20_000 } },
  { feature: 'chat', customer: 'acme', tokens: { inputTokens: 300_000, outputTokens: 50_000 } },
  { feature: 'batch', customer: 'initech', tokens: { inputTokens: 10_000, outputTokens: 2_000 } },
] as const;

/** The By tag table's rows: value, and cost as the API sent it (6 decimals, USD). */
async function tagRows(): Promise<[string, string][]> {
  return page
    .locator('[data-tag-row]')
    .evaluateAll((rows) =>
      rows.map((row) => [
        row.getAttribute('data-tag-row') ?? '',
        row.querySelector('[data-cost]')?.getAttribute('data-cost') ?? '',
      ]),
    );
}

describe('By tag', () => {
  it('breaks cost down by tag value, drills into a tag filter and shows tags in Logs', async () => {
    // Sign up: Integrate shows how to tag.
    await page.goto('/sign-up');
    await page.getByLabel('Email').fill('tags@example.com');
    await page.getByLabel('Password').fill('Corr3ct-Horse-Battery!');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/integrate');
    await poll(() => page.locator('#metrion-key').textContent()).toMatch(/^sk-metrion-/);
    const metrionKey = (await page.locator('#metrion-key').textContent()) ?? '';
    await page.getByRole('radio', { name: '@anthropic-ai/sdk' }).check();
    expect(await page.locator('[data-tag-sample]').textContent()).toContain(
      "metadata: { user_id: 'customer-42' }",
    );
    await stack.screenshotBothWidths('50-integrate-tags');

    // Tagged traffic (pass-through mode: the fake provider's key, the Metrion Key in a header).
    const openai = new OpenAI({
      baseURL: stack.metrion.proxyBaseUrls.openai,
      apiKey: FAKE_OPENAI_API_KEY,
      defaultHeaders: { 'x-metrion-token': metrionKey },
      maxRetries: 0,
    });
    for (const { feature, customer, tokens } of TRAFFIC) {
      stack.openai.setScenario({ kind: 'ok', tokens });
      await openai.chat.completions.create(
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], user: customer },
        { headers: { 'x-metrion-tag-feature': feature, 'x-metrion-tag-customer': customer } },
      );
    }

    // Dashboard > By tag: values by cost, the picked key.
    await page.goto('/dashboard#tags');
    // The keys seen are written beside the rollups, after the records: reload until they show.
    await poll(async () => {
      await page.reload();
      await page.locator('.by-tag__header, .by-tag__empty').first().waitFor();
      return page.getByLabel('Tag key').count();
    }).toBe(1);
    await page.getByLabel('Tag key').selectOption('feature');
    await poll(async () => {
      await page.reload();
      await page.getByLabel('Tag key').selectOption('feature');
      return tagRows();
    }).toEqual([
      ['chat', '0.075000'],
      ['search', '0.054000'],
      ['batch', '0.002700'],
      ['total', '0.131700'],
    ]);
    expect(await page.getByTestId('card-tag-cost').locator('[data-value]').textContent()).toBe(
      '$0.13',
    );
    await stack.screenshotBothWidths('51-dashboard-by-tag');
    await page.getByLabel('Tag key').selectOption('customer');
    await poll(tagRows).toEqual([
      ['acme', '0.102000'],
      ['globex', '0.027000'],
      ['initech', '0.002700'],
      ['total', '0.131700'],
    ]);

    // A value filters every tab: the Overview counts search's two requests.
    await page.getByLabel('Tag key').selectOption('feature');
    await poll(tagRows).toContainEqual(['search', '0.054000']);
    await page.getByRole('button', { name: 'Filter the Dashboard by feature:search' }).click();
    await poll(() => page.getByTestId('card-requests').locator('[data-value]').textContent()).toBe(
      '2',
    );
    expect(new URL(page.url()).searchParams.getAll('tag')).toEqual(['feature:search']);
    expect(await page.locator('[data-tag-filter]').textContent()).toContain('feature:search');
    await stack.screenshotBothWidths('52-dashboard-tag-filter');

    // Logs keeps the filter; rows show their tags; the field adds another value of the key.
    await page.getByRole('link', { name: 'Logs' }).click();
    await page.waitForURL('**/logs?**');
    await poll(() => page.locator('[data-log-row]').count()).toBe(2);
    expect(await page.locator('[data-log-row] [data-tag="feature:search"]').count()).toBe(2);
    await page.getByLabel('Tag filter as key:value').fill('feature:chat');
    await page.getByRole('button', { name: 'Add tag' }).click();
    await poll(() => page.locator('[data-log-row]').count()).toBe(3);
    await page.getByRole('button', { name: 'Remove tag filter feature:search' }).click();
    await poll(() => page.locator('[data-log-row]').count()).toBe(1);
    await page.getByLabel('Tag filter as key:value').fill('not a tag');
    await page.getByRole('button', { name: 'Add tag' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('key:value');
    await stack.screenshotBothWidths('53-logs-tags');

    expect(stack.browserErrors).toEqual([]);
  });
});
