// The Plan journey in real Chromium against the local stack with the Stripe stand-in: sign up,
// Upgrade to Pro, Subscribe on the stand-in's Checkout page, back on the Plan page that turns to
// Pro by itself once the (here: late) webhook arrives, Manage billing, Cancel plan, and the page
// showing when Pro ends. Screenshots go to test-artifacts/e2e/billing-*.png.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStripeStandIn } from '#local/stripe-stand-in.ts';
import { type DashboardStack, startDashboardStack } from './support/dashboard-stack.ts';

const EMAIL = 'grace@example.com';
const PASSWORD = 'Corr3ct-Horse-Battery!';
/** Nothing listens on the discard port: deliveries fail, as when Stripe is slow to send. */
const UNREACHABLE = 'http://127.0.0.1:9/';

let stack: DashboardStack;
let page: Page;
let standIn: RunningStripeStandIn;
let webhookUrl: string;

beforeAll(async () => {
  stack = await startDashboardStack();
  page = stack.page;
  if (stack.metrion.stripeStandIn === undefined) throw new Error('no Stripe stand-in started');
  standIn = stack.metrion.stripeStandIn;
  webhookUrl = `${stack.metrion.url}/api/stripe/webhook`;
});

afterAll(async () => {
  await stack?.close();
});

describe('Plan journey', () => {
  it('shows Free with the plan table and Upgrade to Pro', async () => {
    await page.goto('/sign-up');
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/integrate');
    // Integrate's first API call creates the account.
    await page
      .locator('#metrion-key')
      .filter({ hasText: /^sk-metrion-/ })
      .waitFor();

    await page.goto('/settings/billing');

    await page.getByText('You are on the Free plan.').waitFor();
    expect(await page.getByText('10,000 per calendar month (UTC)').isVisible()).toBe(true);
    expect(await page.getByText('No monthly cap').isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Manage billing' }).count()).toBe(0);
    // The local default price, and no request yet against the Free cap.
    expect(await page.locator('[data-plan-price="pro"]').textContent()).toBe('$29.00 per month');
    expect(await page.locator('[data-month-usage]').textContent()).toMatch(
      /^0 of 10,000 proxy requests this month\./,
    );
    await stack.screenshotBothWidths('billing-01-free');
  });

  it('upgrades through Checkout and turns Pro without a reload once the webhook arrives', async () => {
    // Arrange: mark the page, so a reload would be noticed
    await page.getByRole('button', { name: 'Upgrade to Pro' }).click();
    await page.waitForURL(`${standIn.url}/checkout/**`);
    await stack.screenshot('billing-02-checkout');
    standIn.setWebhookUrl(UNREACHABLE);

    // Act: Subscribe; Stripe's webhooks are late
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.waitForURL('**/settings/billing?checkout=success');
    await page.getByText('Processing…', { exact: false }).waitFor();
    await page.evaluate(() => {
      (window as unknown as { notReloaded?: boolean }).notReloaded = true;
    });
    await stack.screenshot('billing-03-processing');
    standIn.setWebhookUrl(webhookUrl);
    const late = standIn.events.filter((event) => event.deliveryStatus === 0);
    expect(late.map((event) => event.type)).toEqual([
      'checkout.session.completed',
      'customer.subscription.created',
      'invoice.paid',
    ]);
    for (const event of late) expect(await standIn.redeliver(event.id)).toBe(200);

    // Assert
    await page.getByText('You are on the Pro plan.').waitFor({ timeout: 10_000 });
    await page.getByText('Welcome to Pro.').waitFor();
    expect(await page.locator('[data-period-end]').textContent()).toMatch(/^Renews on /);
    expect(await page.locator('[data-subscription-status]').textContent()).toBe(
      'Subscription: Active',
    );
    expect(
      await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded),
    ).toBe(true);
    expect(new URL(page.url()).search).toBe('');
    expect(await page.getByRole('button', { name: 'Upgrade to Pro' }).count()).toBe(0);
    expect(await page.locator('[data-month-usage]').textContent()).toBe(
      '0 proxy requests this month. Pro has no monthly cap.',
    );
    await stack.screenshotBothWidths('billing-04-pro');
  });

  it('cancels in the billing portal and shows the date Pro ends', async () => {
    await page.getByRole('button', { name: 'Manage billing' }).click();
    await page.waitForURL(`${standIn.url}/portal/**`);
    await stack.screenshot('billing-05-portal');

    await page.getByRole('button', { name: 'Cancel plan' }).click();

    await page.waitForURL('**/settings/billing');
    const periodEnd = page.locator('[data-period-end]');
    await periodEnd.waitFor();
    expect(await periodEnd.textContent()).toMatch(/^Pro until \w{3} \d{1,2}, \d{4}\.$/);
    expect(await page.getByText('You are on the Pro plan.').isVisible()).toBe(true);
    await stack.screenshot('billing-06-canceled');
  });

  it('warns while a renewal payment is past due, keeping Pro', async () => {
    const created = standIn.events.find((event) => event.type === 'customer.subscription.created');
    const subscriptionId: string = JSON.parse(created?.payload ?? '{}').data.object.id;

    await standIn.setSubscriptionStatus(subscriptionId, 'past_due');
    await page.reload();

    await page.getByText('Your last payment failed.', { exact: false }).waitFor();
    expect(await page.getByText('You are on the Pro plan.').isVisible()).toBe(true);
    await stack.screenshot('billing-07-past-due');
  });

  it('raised no script error and no CSP violation on any page', () => {
    expect(stack.browserErrors).toEqual([]);
  });
});
