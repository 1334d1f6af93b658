import type { BillingState } from '../billing/billing-state.ts';
import type { Plan } from '../billing/plans.ts';
import type { ProviderId } from '../providers/provider-registry.ts';
import type { SealedSecret } from '../vault/sealed-secret.ts';

export const CURRENCIES = ['USD', 'EUR', 'CHF'] as const;
export type Currency = (typeof CURRENCIES)[number];

/** Longest display name, in UTF-16 code units (what browsers count in `maxlength`). */
export const MAX_DISPLAY_NAME_LENGTH = 80;

export interface Account {
  readonly accountId: string;
  readonly email: string;
  readonly displayName: string;
  readonly currency: Currency;
  readonly plan: Plan;
  /** ISO instant. */
  readonly createdAt: string;
  /**
   * Stripe customer and subscription state, absent until the first checkout. The plan to enforce
   * is `effectivePlan(account, nowMs)` (`#core/billing/billing-state.ts`), which also ends Pro
   * at the end of a canceled period.
   */
  readonly billing?: BillingState;
}

/** A provider key as stored: only the sealed form, never plaintext, never a fragment of it. */
export interface StoredProviderKey {
  readonly accountId: string;
  readonly provider: ProviderId;
  readonly sealed: SealedSecret;
  /** ISO instant. */
  readonly createdAt: string;
}

/** The Metrion Key as stored: a lookup digest plus a sealed, viewable copy. */
export interface StoredMetrionKey {
  /** HMAC-SHA256 (server secret) of the key, hex. The lookup item's primary key. */
  readonly digest: string;
  readonly sealed: SealedSecret;
}
