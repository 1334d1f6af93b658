import * as z from 'zod';
import { SUBSCRIPTION_STATUSES } from '#core/billing/billing-event.ts';
import { PLANS } from '#core/billing/plans.ts';
import type { ApiRoute } from './api-route.ts';

/**
 * Settings > Plan: the billing view, Stripe Checkout and the Stripe billing portal, plus the
 * Stripe webhook's path (`STRIPE_WEBHOOK_ROUTE`), which is no `API_ROUTES` entry: Stripe signs
 * its body instead of sending a sign-in token, and its own function serves it.
 */

/** The Plan page's path; Checkout and the portal send the browser back here. */
export const PLAN_PAGE_PATH = '/settings/billing';
/** Query parameter Checkout's success URL carries: the page then waits for the webhook. */
export const CHECKOUT_RETURN_PARAM = 'checkout';
export const CHECKOUT_SUCCESS_VALUE = 'success';

export const billingStatusSchema = z.enum([...SUBSCRIPTION_STATUSES, 'none']);
export type BillingStatusDto = z.infer<typeof billingStatusSchema>;

export const billingViewSchema = z.object({
  /** The plan enforced right now (Free once a canceled period has ended). */
  plan: z.enum(PLANS),
  /** Stripe's subscription status, or `none` before the first subscription. */
  status: billingStatusSchema,
  /** ISO instant the paid period ends (renewal, or the end of Pro when canceled), or null. */
  currentPeriodEnd: z.string().nullable(),
  /** True when Pro ends at `currentPeriodEnd` (canceled in the billing portal). */
  cancelAtPeriodEnd: z.boolean(),
  /** Pro's price per month in USD, a decimal string (`"29.00"`), from the deployment's config. */
  proMonthlyPriceUsd: z.string(),
  /**
   * Proxy requests counted this calendar month (UTC): the count the Free cap
   * (`PLAN_LIMITS.free.monthlyRequests`) applies to. `resetsAt`: the next month's start (ISO).
   */
  thisMonth: z.object({ requests: z.number().int(), resetsAt: z.string() }),
});
export type BillingViewDto = z.infer<typeof billingViewSchema>;

/** A Stripe-hosted page to send the browser to. */
export const redirectUrlSchema = z.object({ url: z.url() });

export const BILLING_ROUTES = {
  getBilling: {
    method: 'GET',
    path: '/api/billing',
    auth: 'jwt',
    response: billingViewSchema,
  },
  /** 409 `already_pro` on Pro, 409 `subscription_open` while an old one is still open. */
  startCheckout: {
    method: 'POST',
    path: '/api/billing/checkout',
    auth: 'jwt',
    response: redirectUrlSchema,
  },
  /** 409 `no_billing_customer` before the first checkout. */
  openBillingPortal: {
    method: 'POST',
    path: '/api/billing/portal',
    auth: 'jwt',
    response: redirectUrlSchema,
  },
} as const satisfies Record<string, ApiRoute>;

/**
 * Stripe's webhook endpoint: no sign-in, the raw body is verified against `Stripe-Signature`.
 * `stripe listen --forward-to localhost:8787/api/stripe/webhook` forwards test-mode events.
 */
export const STRIPE_WEBHOOK_ROUTE = { method: 'POST', path: '/api/stripe/webhook' } as const;
