// The Alerts page in real Chromium against the local stack: a Free account sees the upgrade
// hint; made Pro (and EUR) through the account store, it creates one rule of each type, edits,
// pauses, resumes, tests (the email lands in aws-ses-v2-local; a second Test is refused with
// when it works again) and deletes one with confirmation. The steps share one session, in order.
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAccountStore } from '#adapters/dynamodb/dynamo-account-store.ts';
import { type DashboardStack, startDashboardStack } from './support/dashboard-stack.ts';

const EMAIL = 'grace@example.com';
const PASSWORD = 'Corr3ct-Horse-Battery!';

interface StoredEmail {
  readonly subject: string;
  readonly destination: { readonly to: readonly string[] };
  readonly body: { readonly text?: string };
}

/** Retries a read: the page fills in after its API calls answer. */
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 10_000, interval: 100 });

let stack: DashboardStack;
let page: Page;

beforeAll(async () => {
  stack = await startDashboardStack();
  page = stack.page;
});

afterAll(async () => {
  await stack?.close();
});

/** The signed-in account's id, asked of the API with the page's own session. */
function signedInAccountId(): Promise<string> {
  return page.evaluate(async () => {
    const session = JSON.parse(sessionStorage.getItem('metrion.session') ?? '{}');
    const answer = await fetch('/api/me', {
      headers: { authorization: `Bearer ${session.idToken}` },
    });
    return (await answer.json()).accountId as string;
  });
}

async function emailsTo(address: string): Promise<StoredEmail[]> {
  const store = await (await fetch(`${stack.metrion.sesEndpoint}/store`)).json();
  return (store.emails as StoredEmail[]).filter((email) => email.destination.to.includes(address));
}

/** The list row of a rule, by the name (or type label) in its first cell. */
function row(name: string): Locator {
  return page.locator('tbody tr').filter({ has: page.getByRole('rowheader', { name }) });
}

/** The row's cells as text: name, type, now / threshold, scope, state, last fired. */
async function cells(name: string): Promise<string[]> {
  const texts = await row(name).locator('th, td').allTextContents();
  return texts.slice(0, 6).map((text) => text.trim());
}

async function openNewAlert(): Promise<void> {
  await page.getByRole('button', { name: 'New alert' }).click();
  await page.getByRole('heading', { name: 'New alert' }).waitFor();
}

async function create(): Promise<void> {
  await page.getByRole('button', { name: 'Create alert' }).click();
  await page.getByRole('heading', { name: 'New alert' }).waitFor({ state: 'detached' });
}

describe('alerts page', () => {
  it('tells a Free account that alert rules are Pro, reached from Settings → Alerts', async () => {
    await page.goto('/sign-up');
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/integrate');
    await page.locator('#metrion-key').waitFor();

    await page.goto('/settings/alerts');
    await page.getByRole('link', { name: 'Go to Alerts' }).click();
    await page.waitForURL('**/alerts');

    await page.getByRole('heading', { name: 'Alert rules come with Pro' }).waitFor();
    const hint = (await page.locator('[data-upgrade-hint]').textContent()) ?? '';
    expect(hint).toMatch(/part of Metrion Pro/);
    expect(hint).toMatch(/Upgrade/);
    expect(await page.getByRole('button', { name: 'New alert' }).count()).toBe(0);
    await stack.screenshotBothWidths('alerts-01-free-upgrade-hint');
  });

  it('shows a Pro account its empty list and how alerts measure, from the API', async () => {
    await new DynamoAccountStore({
      client: stack.metrion.data.documentClient,
      tableName: stack.metrion.data.accountsTable,
    }).updateProfile(await signedInAccountId(), { plan: 'pro', currency: 'EUR' });

    await page.reload();

    await page.getByText('No alert rules yet.').waitFor();
    const policy =
      (await page.getByRole('region', { name: 'How alerts work' }).textContent()) ?? '';
    expect(policy).toContain('Warning at 90% of its threshold and Alert at 100%');
    expect(policy).toContain('at most once per 24 hours');
    expect(policy).toContain('between 60 and 120 minutes');
    expect(policy).toContain('at most once per 12 hours per rule');
  });

  it('checks a budget with the API schema before sending, tied to the field, then creates it', async () => {
    await openNewAlert();
    expect(await page.getByLabel('Budget (EUR)').isVisible()).toBe(true);
    expect(await page.locator('.affixed__affix').textContent()).toBe('€');

    await page.getByLabel('Name (optional)').fill('Monthly budget');
    await page.getByLabel('Budget (EUR)').fill('12.345');
    await page.getByRole('button', { name: 'Create alert' }).click();

    const threshold = page.getByLabel('Budget (EUR)');
    await poll(() => threshold.getAttribute('aria-invalid')).toBe('true');
    const errorId = (await threshold.getAttribute('aria-describedby'))?.split(' ').at(-1);
    expect(await page.locator(`#${errorId}`).textContent()).toBe(
      'A budget has at most 2 decimals.',
    );
    await stack.screenshot('alerts-02-budget-validation');

    await threshold.fill('50');
    await create();

    await poll(() => cells('Monthly budget')).toEqual([
      'Monthly budget',
      'Budget',
      // Nothing spent yet, against the threshold.
      '€0.00 / €50.00this calendar month (UTC)',
      'All providers',
      'OK',
      'Never',
    ]);
  });

  it('creates an error rate rule for one provider, a latency rule and, by keyboard, a volume rule', async () => {
    await openNewAlert();
    await page.getByLabel('Error rate', { exact: true }).check();
    await page.getByLabel('Name (optional)').fill('OpenAI errors');
    await page.getByLabel('Error rate (%)').fill('5');
    await page.getByLabel('Only some').check();
    await page.getByLabel('OpenAI').check();
    await stack.screenshotBothWidths('alerts-03-new-error-rate');
    await create();

    await openNewAlert();
    await page.getByLabel('Latency p95', { exact: true }).check();
    await page.getByLabel('Name (optional)').fill('Slow responses');
    await page.getByLabel('Latency p95 (ms)').fill('2000');
    await create();

    // Keyboard only: Enter opens the form (focus moves to it), arrows pick the type, Enter sends.
    await page.getByRole('button', { name: 'New alert' }).focus();
    await page.keyboard.press('Enter');
    await poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('New alert');
    await page.getByLabel('Budget', { exact: true }).focus();
    for (let step = 0; step < 3; step += 1) await page.keyboard.press('ArrowRight');
    expect(await page.getByLabel('Request volume', { exact: true }).isChecked()).toBe(true);
    await page.getByLabel('Requests in the window').focus();
    await page.keyboard.type('1000');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'New alert' }).waitFor({ state: 'detached' });

    await poll(() => cells('OpenAI errors')).toEqual([
      'OpenAI errors',
      'Error rate',
      '— / 5%needs 20 answered requests to judge',
      'OpenAI',
      'OK',
      'Never',
    ]);
    expect(await cells('Slow responses')).toEqual([
      'Slow responses',
      'Latency p95',
      '— / 2,000 msno requests in the window',
      'All providers',
      'OK',
      'Never',
    ]);
    expect(await cells('Request volume rule')).toEqual([
      'Request volume rule',
      'Request volume',
      '0 / 1,000 requests',
      'All providers',
      'OK',
      'Never',
    ]);
    await stack.screenshotBothWidths('alerts-04-four-rules');
  });

  it('edits a rule', async () => {
    await page.getByRole('button', { name: 'Edit Slow responses' }).click();
    const threshold = page.getByLabel('Latency p95 (ms)');
    expect(await threshold.inputValue()).toBe('2000');
    expect(await page.getByRole('radio', { name: 'Budget' }).count()).toBe(0);

    await threshold.fill('3000');
    await stack.screenshot('alerts-05-edit');
    await page.getByRole('button', { name: 'Save alert' }).click();

    await poll(() => cells('Slow responses')).toEqual([
      'Slow responses',
      'Latency p95',
      '— / 3,000 msno requests in the window',
      'All providers',
      'OK',
      'Never',
    ]);
    expect(await page.getByText('Saved “Slow responses”.').isVisible()).toBe(true);
  });

  it('pauses and resumes a rule', async () => {
    await page.getByRole('button', { name: 'Pause OpenAI errors' }).click();
    await poll(async () => (await cells('OpenAI errors'))[4]).toBe('Paused');
    await page.getByRole('button', { name: 'Resume OpenAI errors' }).waitFor();
    await stack.screenshot('alerts-06-paused');

    await page.getByRole('button', { name: 'Resume OpenAI errors' }).click();

    await poll(async () => (await cells('OpenAI errors'))[4]).toBe('OK');
    expect(await page.getByText('Resumed “OpenAI errors”.').isVisible()).toBe(true);
  });

  it('sends a test email that lands in the local SES store', async () => {
    await page.getByRole('button', { name: 'Test Monthly budget' }).click();

    const sent = page.getByText(/^Test email for “Monthly budget” sent to /);
    await sent.waitFor();
    expect(await sent.textContent()).toContain(EMAIL);
    await poll(async () => (await emailsTo(EMAIL)).length).toBe(1);
    const [email] = await emailsTo(EMAIL);
    expect(email?.subject).toMatch(/^\[Metrion\]/);
    expect(email?.body.text).toContain('Monthly budget');
    await stack.screenshot('alerts-07-test-sent');
  });

  it('says to try again later, and when, on a second Test within 12 hours', async () => {
    await page.getByRole('button', { name: 'Test Monthly budget' }).click();

    const refused = page.getByText(/^Try again later/);
    await refused.waitFor();
    expect(await refused.textContent()).toMatch(
      /in the last 12 hours\. It can be used again at .+ \(in 1[12] h( \d+ min)?\)\.$/,
    );
    expect(await emailsTo(EMAIL)).toHaveLength(1);
    await stack.screenshot('alerts-08-test-try-again-later');
  });

  it('deletes a rule only after confirmation', async () => {
    await page.getByRole('button', { name: 'Delete Request volume rule' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete “Request volume rule”?' });
    await dialog.waitFor();
    await poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await row('Request volume rule').count()).toBe(1);

    await page.getByRole('button', { name: 'Delete Request volume rule' }).click();
    await dialog.waitFor();
    await stack.screenshot('alerts-09-delete-confirm');
    await dialog.getByRole('button', { name: 'Delete alert' }).click();

    await page.getByText('Deleted “Request volume rule”.').waitFor();
    expect(await row('Request volume rule').count()).toBe(0);
    expect(await page.locator('tbody tr').count()).toBe(3);
    await stack.screenshot('alerts-10-after-delete');
  });

  it('logged no browser errors', () => {
    expect(stack.browserErrors).toEqual([]);
  });
});
