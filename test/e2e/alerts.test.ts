// The Alerts page in real Chromium against the local stack: a Free account sees the upgrade
// hint; made Pro (and EUR) through the account store, it creates one rule of each type, edits,
// pauses, resumes, tests (the email lands in aws-ses-v2-local; a second Test is refused with
// when it works again), adds a webhook and a Slack channel to a local receiver (the webhook's
// Test arrives signed with the secret shown once; a private address is refused) and a forecast
// and a spike rule that notify them, and deletes one with confirmation. The steps share one
// session, in order.
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '#core/alerts/channels/webhook-signature.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../fixtures/webhook-receiver.ts';
import { type DashboardStack, startDashboardStack } from './support/dashboard-stack.ts';
import { updateSignedInProfile } from './support/signed-in-account.ts';

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
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  stack = await startDashboardStack();
  page = stack.page;
});

afterAll(async () => {
  await stack?.close();
  await receiver?.close();
});

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

/** A channel's row in the Channels table, by name. */
function channelRow(name: string): Locator {
  return page
    .getByRole('table', { name: 'Alert channels' })
    .locator('tbody tr')
    .filter({ has: page.getByRole('rowheader', { name }) });
}

/** A channel row's cells as text: name, kind, target, last delivery. */
async function channelCells(name: string): Promise<string[]> {
  const texts = await channelRow(name).locator('th, td').allTextContents();
  return texts.slice(0, 4).map((text) => text.trim());
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
    await updateSignedInProfile(stack, { plan: 'pro', currency: 'EUR' });

    await page.reload();

    await page.getByText('No alert rules yet.').waitFor();
    const policy =
      (await page.getByRole('region', { name: 'How alerts work' }).textContent()) ?? '';
    expect(policy).toContain('Warning at 90% of its threshold and Alert at 100%');
    expect(policy).toContain('at most once per 24 hours');
    expect(policy).toContain('between 60 and 120 minutes');
    expect(policy).toContain('at most once per 12 hours per rule');
    expect(policy).toContain('the average day of the last 7 days for each day left');
    expect(policy).toContain('the median hour of the 7 days before it');
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
      'All requests',
      'OK',
      'Never',
    ]);
  });

  it('creates an error rate rule for one provider, a latency rule and, by keyboard, a volume rule', async () => {
    await openNewAlert();
    await page.getByLabel('Error rate', { exact: true }).check();
    await page.getByLabel('Name (optional)').fill('OpenAI errors');
    await page.getByLabel('Error rate (%)').fill('5');
    await page.getByRole('radio', { name: 'Provider' }).check();
    await page.getByRole('combobox', { name: 'Provider' }).selectOption('openai');
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
    for (let step = 0; step < 5; step += 1) await page.keyboard.press('ArrowRight');
    expect(await page.getByLabel('Request volume', { exact: true }).isChecked()).toBe(true);
    await page.getByLabel('Requests in the window').focus();
    await page.keyboard.type('1000');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'New alert' }).waitFor({ state: 'detached' });

    await poll(() => cells('OpenAI errors')).toEqual([
      'OpenAI errors',
      'Error rate',
      '— / 5%needs 20 answered requests to judge',
      'Provider OpenAI',
      'OK',
      'Never',
    ]);
    expect(await cells('Slow responses')).toEqual([
      'Slow responses',
      'Latency p95',
      '— / 2,000 msno requests in the window',
      'All requests',
      'OK',
      'Never',
    ]);
    expect(await cells('Request volume rule')).toEqual([
      'Request volume rule',
      'Request volume',
      '0 / 1,000 requests',
      'All requests',
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
      'All requests',
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

  it('adds a webhook channel whose secret is shown once and whose Test arrives signed', async () => {
    const channels = page.getByRole('region', { name: 'Channels' });
    await channels.getByRole('button', { name: 'Add channel' }).click();
    const form = page.getByRole('form', { name: 'Add channel' });
    await form.getByLabel('Name').fill('Ops webhook');
    await form.getByLabel('URL').fill(`${receiver.url}/metrion`);
    await form.getByRole('button', { name: 'Add channel' }).click();

    await page.getByText('Signing secret of “Ops webhook”').waitFor();
    const secret = (await page.locator('#channel-secret').textContent()) ?? '';
    expect(secret.length).toBeGreaterThanOrEqual(32);

    await channelRow('Ops webhook').getByRole('button', { name: 'Test' }).click();
    await page.getByText('Test sent to “Ops webhook” (HTTP 200).').waitFor();
    expect(receiver.received).toHaveLength(1);
    const [test] = receiver.received;
    expect(test?.path).toBe('/metrion');
    const signature = String(test?.headers['x-metrion-signature']);
    const nowSeconds = Math.floor(Date.now() / 1000);
    expect(verifyWebhookSignature(secret, signature, test?.body ?? '', nowSeconds)).toBe(true);
    expect(verifyWebhookSignature(`${secret}x`, signature, test?.body ?? '', nowSeconds)).toBe(
      false,
    );
    expect(JSON.parse(test?.body ?? '{}')).toMatchObject({ type: 'alert.test', level: 'test' });
    expect(await channelCells('Ops webhook')).toEqual([
      'Ops webhook',
      'Webhook',
      `${receiver.url}/metrion`,
      'Delivered (HTTP 200)',
    ]);
    await stack.screenshotBothWidths('alerts-11-webhook-channel-secret');

    // Reloaded, the secret is gone for good.
    await page.reload();
    await channelRow('Ops webhook').waitFor();
    expect(await page.locator('#channel-secret').count()).toBe(0);
  });

  it('refuses a private address, and adds a Slack channel with its URL masked', async () => {
    const channels = page.getByRole('region', { name: 'Channels' });
    await channels.getByRole('button', { name: 'Add channel' }).click();
    const form = page.getByRole('form', { name: 'Add channel' });
    await form.getByLabel('Kind').selectOption('slack');
    await form.getByLabel('Name').fill('Team Slack');
    await form.getByLabel('URL').fill('https://10.0.0.1/services/T0/B0/x');
    await form.getByRole('button', { name: 'Add channel' }).click();
    await form
      .getByText('The URL points to a private, loopback, link-local or reserved address')
      .waitFor();
    await stack.screenshot('alerts-12-private-address-refused');

    await form.getByLabel('URL').fill(`${receiver.url}/services/T0123/B0456/secretpart`);
    await form.getByRole('button', { name: 'Add channel' }).click();
    await page.getByText('Added “Team Slack”.').waitFor();
    expect(await page.locator('#channel-secret').count()).toBe(0);
    const [, kind, target] = await channelCells('Team Slack');
    expect(kind).toBe('Slack');
    expect(target).not.toContain('secretpart');

    await channelRow('Team Slack').getByRole('button', { name: 'Test' }).click();
    await page.getByText('Test sent to “Team Slack” (HTTP 200).').waitFor();
    const slack = receiver.received.at(-1);
    expect(slack?.path).toBe('/services/T0123/B0456/secretpart');
    const message = JSON.parse(slack?.body ?? '{}');
    expect(message.text).toMatch(/^Test/);
    expect(message.blocks.map((block: { type: string }) => block.type)).toEqual([
      'header',
      'section',
      'actions',
    ]);
  });

  it('creates a forecast rule and a model spike rule that notify the new channels', async () => {
    await openNewAlert();
    await page.getByLabel('Forecast', { exact: true }).check();
    await page.getByLabel('Name (optional)').fill('Month-end spend');
    await page.getByLabel('Month-end spend (EUR)').fill('400');
    await page.getByRole('checkbox', { name: 'Ops webhook (webhook)' }).check();
    await page.getByRole('checkbox', { name: 'Team Slack (slack)' }).check();
    await stack.screenshotBothWidths('alerts-13-new-forecast');
    await create();

    await openNewAlert();
    await page.getByLabel('Spike', { exact: true }).check();
    await page.getByLabel('Name (optional)').fill('Cost spike');
    await page.getByLabel('Factor over the median hour').fill('3');
    await page.getByLabel('Metric').selectOption('cost');
    await page.getByLabel('Minimum per hour (EUR)').fill('1');
    await page.getByRole('radio', { name: 'Model' }).check();
    await page.getByRole('textbox', { name: 'Model' }).fill('gpt-4o-mini');
    await page.getByRole('checkbox', { name: 'Email (email)' }).uncheck();
    await page.getByRole('checkbox', { name: 'Ops webhook (webhook)' }).check();
    await create();

    await poll(async () => (await cells('Month-end spend')).slice(0, 2)).toEqual([
      'Month-end spend',
      'Forecast',
    ]);
    const forecast = await cells('Month-end spend');
    // A new account has no whole day of history: the projection waits for one.
    expect(forecast[2]).toMatch(/^— \/ €400\.00needs a few more days of history$/);
    expect(forecast.slice(3)).toEqual(['All requests', 'OK', 'Never']);
    const spike = await cells('Cost spike');
    expect(spike[1]).toBe('Spike');
    expect(spike[2]).toMatch(/3/);
    expect(spike.slice(3)).toEqual(['Model gpt-4o-mini', 'OK', 'Never']);
    await stack.screenshotBothWidths('alerts-14-six-rules-and-channels');
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
    expect(await page.getByRole('table', { name: 'Alert rules' }).locator('tbody tr').count()).toBe(
      5,
    );
    await stack.screenshot('alerts-10-after-delete');
  });

  it('logged no browser errors', () => {
    expect(stack.browserErrors).toEqual([]);
  });
});
