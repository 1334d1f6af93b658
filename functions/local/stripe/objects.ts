// The Stripe objects the local stand-in keeps, shaped like Stripe's API answers (only the fields
// Metrion and its tests read).
import { randomBytes } from 'node:crypto';

export interface StripeCustomerObject {
  id: string;
  object: 'customer';
  email: string | null;
  metadata: Record<string, string>;
  created: number;
  livemode: false;
}

export interface CheckoutSessionObject {
  id: string;
  object: 'checkout.session';
  mode: string;
  customer: string | null;
  client_reference_id: string | null;
  metadata: Record<string, string>;
  subscription: string | null;
  status: 'open' | 'complete' | 'expired';
  payment_status: 'paid' | 'unpaid';
  success_url: string;
  cancel_url: string | null;
  url: string | null;
  created: number;
  livemode: false;
}

/** What the stand-in keeps of a session beyond Stripe's object, to build its subscription. */
export interface CheckoutSessionRecord {
  readonly session: CheckoutSessionObject;
  readonly subscriptionMetadata: Record<string, string>;
  readonly priceId: string;
}

export interface StripeSubscriptionObject {
  id: string;
  object: 'subscription';
  customer: string;
  status: string;
  cancel_at_period_end: boolean;
  cancel_at: number | null;
  canceled_at: number | null;
  ended_at: number | null;
  created: number;
  metadata: Record<string, string>;
  latest_invoice: string | null;
  items: {
    object: 'list';
    data: {
      id: string;
      object: 'subscription_item';
      price: { id: string; object: 'price' };
      quantity: number;
      current_period_start: number;
      current_period_end: number;
      subscription: string;
    }[];
    has_more: false;
    url: string;
  };
  livemode: false;
}

export interface PortalSessionObject {
  id: string;
  object: 'billing_portal.session';
  customer: string;
  return_url: string | null;
  url: string;
  created: number;
  livemode: false;
}

/** A Stripe id with its prefix (`cus_…`), random like Stripe's. */
export const newId = (prefix: string): string => `${prefix}_${randomBytes(12).toString('hex')}`;

/** A Stripe list object (`GET /v1/<things>`), one page holding everything. */
export function listOf<T>(url: string, data: readonly T[]) {
  return { object: 'list', data, has_more: false, url };
}
