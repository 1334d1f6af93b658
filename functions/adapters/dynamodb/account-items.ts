// Item shapes and keys of the `accounts` table shared by DynamoAccountStore and
// DynamoProxyAdmission (no SDK calls here).
import type { Account, StoredProviderKey } from '#core/accounts/account.ts';
import type {
  BillingState,
  CompletedCheckout,
  InvoiceOutcome,
  SubscriptionHistory,
  SubscriptionSnapshot,
} from '#core/billing/billing-state.ts';
import type { ProviderId } from '#core/providers/provider-registry.ts';
import type { SealedSecret } from '#core/vault/sealed-secret.ts';

export type Key = { readonly pk: string; readonly sk: string };

/** `pk=ACCOUNT#<id>, sk=PROFILE`: the account, its current Metrion Key and its billing state. */
export interface ProfileItem extends Omit<Account, 'billing'>, Key {
  readonly metrionKeyDigest: string;
  readonly metrionKeySealed: SealedSecret;
  /** Set once, conditionally (`setStripeCustomerId`). */
  readonly stripeCustomerId?: string;
  /** Every subscription the account has seen, by id (`BillingState.subscriptions`). */
  readonly billingSubscriptions?: Readonly<Record<string, SubscriptionHistory>>;
  /** Items written before subscriptions were kept by id: read, and removed by the next save. */
  readonly billingSubscription?: SubscriptionSnapshot;
  readonly billingCheckout?: CompletedCheckout;
  readonly billingLastInvoice?: InvoiceOutcome;
  /** Optimistic-concurrency version of the billing registers; absent = 0. */
  readonly billingVersion?: number;
  /** Bumped (`ADD`) by every refresh of the proxy view; orders concurrent refreshes. */
  readonly viewVersion?: number;
}

/** `pk=ACCOUNT#<id>, sk=PROVIDER_KEY#<provider>`. */
export interface ProviderKeyItem extends StoredProviderKey, Key {}

export const PROFILE_SK = 'PROFILE';
export const PROVIDER_KEY_PREFIX = 'PROVIDER_KEY#';
const LOOKUP_SK = 'LOOKUP';

export const accountPk = (accountId: string): string => `ACCOUNT#${accountId}`;
export const profileKey = (accountId: string): Key => ({
  pk: accountPk(accountId),
  sk: PROFILE_SK,
});
export const providerKeyKey = (accountId: string, provider: ProviderId): Key => ({
  pk: accountPk(accountId),
  sk: `${PROVIDER_KEY_PREFIX}${provider}`,
});
/** `pk=METRION_KEY#<digest>, sk=LOOKUP`: the only way from a presented key to an account. */
export const lookupKey = (digest: string): Key => ({ pk: `METRION_KEY#${digest}`, sk: LOOKUP_SK });

/** The attributes of the single-subscription layout, removed by every billing save. */
export const LEGACY_BILLING_ATTRIBUTES = [
  'billingSubscription',
  'billingCheckout',
  'billingLastInvoice',
] as const;

/** The subscriptions of an item, with those of the single-subscription layout merged in. */
function subscriptionsOf(item: ProfileItem): Record<string, SubscriptionHistory> {
  const merged: Record<string, SubscriptionHistory> = { ...item.billingSubscriptions };
  const add = (subscriptionId: string, register: SubscriptionHistory) => {
    merged[subscriptionId] = { ...register, ...merged[subscriptionId] };
  };
  if (item.billingSubscription !== undefined) {
    add(item.billingSubscription.subscriptionId, { snapshot: item.billingSubscription });
  }
  if (item.billingCheckout !== undefined) {
    add(item.billingCheckout.subscriptionId, { checkout: item.billingCheckout });
  }
  if (item.billingLastInvoice !== undefined) {
    add(item.billingLastInvoice.subscriptionId, { lastInvoice: item.billingLastInvoice });
  }
  return merged;
}

export function toBilling(item: ProfileItem): BillingState {
  const subscriptions = subscriptionsOf(item);
  return {
    stripeCustomerId: item.stripeCustomerId,
    subscriptions: Object.keys(subscriptions).length === 0 ? undefined : subscriptions,
  };
}

/** The profile fields only (what `createAccount` writes); billing has its own writes. */
export function profileFields(item: Account): Omit<Account, 'billing'> {
  return {
    accountId: item.accountId,
    email: item.email,
    displayName: item.displayName,
    currency: item.currency,
    plan: item.plan,
    createdAt: item.createdAt,
  };
}

export function toAccount(item: ProfileItem): Account {
  const billing = toBilling(item);
  return billing.stripeCustomerId === undefined && billing.subscriptions === undefined
    ? profileFields(item)
    : { ...profileFields(item), billing };
}

export function toProviderKey(item: StoredProviderKey): StoredProviderKey {
  return {
    accountId: item.accountId,
    provider: item.provider,
    sealed: item.sealed,
    createdAt: item.createdAt,
  };
}
