import type { Account, StoredMetrionKey, StoredProviderKey } from '#core/accounts/account.ts';
import { type BillingState, effectivePlan } from '#core/billing/billing-state.ts';
import type { Plan } from '#core/billing/plans.ts';
import { AccountExistsError, MetrionKeyConflictError, NotFoundError } from '#core/errors.ts';
import type { AccountStore } from '#core/ports/account-store.ts';
import type { BillingRecord, BillingStore } from '#core/ports/billing-store.ts';
import type { MetrionKeyStore } from '#core/ports/metrion-key-store.ts';
import type { ProviderKeyStore } from '#core/ports/provider-key-store.ts';
import type {
  Admission,
  AdmissionRequest,
  AdmissionWindow,
  ProxyAdmission,
  WindowCount,
} from '#core/ports/proxy-admission.ts';
import type {
  SealedSecretPage,
  SealedSecretStore,
  StoredSealedSecret,
} from '#core/ports/sealed-secret-store.ts';
import type { ProviderId } from '#core/providers/provider-registry.ts';
import type { SealedSecret } from '#core/vault/sealed-secret.ts';
import { InMemoryBudgets } from './in-memory-budgets.ts';

interface Profile {
  /** Without `billing`: that lives in the fields below, as on the Dynamo item. */
  account: Account;
  metrionKey: StoredMetrionKey;
  billing: BillingState;
  billingVersion: number;
}

const copy = <T>(value: T): T => structuredClone(value);

function accountNotFound(): NotFoundError {
  return new NotFoundError('This account does not exist.');
}

function withoutBilling(account: Account): Account {
  const { billing: _billing, ...rest } = account;
  return rest;
}

/** The account as a store returns it: billing attached only once there is some. */
function accountOf(profile: Profile): Account {
  return copy(
    Object.keys(profile.billing).length === 0
      ? profile.account
      : { ...profile.account, billing: profile.billing },
  );
}

type Counters = Map<string, { count: number; refused: number }>;

function counted(counters: Counters, window: AdmissionWindow) {
  let counter = counters.get(window.counter);
  if (counter === undefined) {
    counter = { count: 0, refused: 0 };
    counters.set(window.counter, counter);
  }
  return counter;
}

function isFull(counters: Counters, window: AdmissionWindow, plan: Plan): boolean {
  const limit = window.limits[plan];
  return limit !== null && (counters.get(window.counter)?.count ?? 0) >= limit;
}

/**
 * AccountStore, MetrionKeyStore, ProviderKeyStore, BillingStore and ProxyAdmission in memory,
 * passing the same contract suites as their DynamoDB adapters (including the fail-closed key
 * replacement and
 * never overwriting another account's lookup digest). Admission reads the canonical state
 * directly, so it is always fresh; each call runs without yielding, which makes it atomic like
 * the conditional write. Values are copied in and out, like a real store.
 */
export class InMemoryAccountStore
  implements
    AccountStore,
    MetrionKeyStore,
    ProviderKeyStore,
    BillingStore,
    ProxyAdmission,
    SealedSecretStore
{
  /** The account's budgets and their ledger, which the admission reserves on. */
  readonly budgets: InMemoryBudgets;
  readonly #profiles = new Map<string, Profile>();
  readonly #lookups = new Map<string, string>();
  readonly #providerKeys = new Map<string, Map<ProviderId, StoredProviderKey>>();
  /** Stripe event id → expiry (epoch seconds). */
  readonly #processedEvents = new Map<string, number>();
  /** Minute counters per key digest; month counters per account (they survive regeneration). */
  readonly #keyCounters = new Map<string, Counters>();
  readonly #accountCounters = new Map<string, Counters>();

  constructor(options: { readonly budgets?: InMemoryBudgets } = {}) {
    this.budgets = options.budgets ?? new InMemoryBudgets();
  }

  async createAccount(account: Account, metrionKey: StoredMetrionKey): Promise<void> {
    if (this.#profiles.has(account.accountId)) throw new AccountExistsError();
    if (this.#lookups.has(metrionKey.digest)) throw new MetrionKeyConflictError();
    this.#profiles.set(account.accountId, {
      account: copy(withoutBilling(account)),
      metrionKey: copy(metrionKey),
      billing: {},
      billingVersion: 0,
    });
    this.#lookups.set(metrionKey.digest, account.accountId);
  }

  async getAccount(accountId: string): Promise<Account | undefined> {
    const profile = this.#profiles.get(accountId);
    return profile === undefined ? undefined : accountOf(profile);
  }

  async admit(request: AdmissionRequest): Promise<Admission> {
    const accountId = this.#lookups.get(request.keyDigest);
    const profile = accountId === undefined ? undefined : this.#profiles.get(accountId);
    // The profile decides: a lookup left behind by a lost regeneration race never admits.
    if (accountId === undefined || profile?.metrionKey.digest !== request.keyDigest) {
      return { outcome: 'unknown-key' };
    }
    const account = accountOf(profile);
    const plan = effectivePlan(account, request.nowMs);
    const minute = this.#countersOf(this.#keyCounters, request.keyDigest);
    const month = this.#countersOf(this.#accountCounters, accountId);
    const { budget } = request;
    if (isFull(minute, request.minute, plan)) {
      counted(minute, request.minute).refused += 1;
      return { outcome: 'refused', window: 'minute', plan };
    }
    const monthly = request.month !== undefined && budget?.kind !== 'refuse';
    if (monthly && request.month !== undefined && isFull(month, request.month, plan)) {
      counted(month, request.month).refused += 1;
      return { outcome: 'refused', window: 'month', plan };
    }
    const providerKey = this.#providerKeys.get(accountId)?.get(request.provider);
    const caller =
      providerKey === undefined ? { account } : { account, providerKey: copy(providerKey) };
    if (budget !== undefined && this.budgets.changedSince(accountId, budget)) {
      const budgets = this.budgets.viewOf(accountId);
      return { outcome: 'budgets-changed', budgets };
    }
    const refusal = budget === undefined ? undefined : this.budgets.exceeded(accountId, budget);
    counted(minute, request.minute).count += 1;
    if (refusal !== undefined) {
      return { outcome: 'budget-refused', caller, figures: this.budgets.block(accountId, refusal) };
    }
    if (request.month !== undefined) counted(month, request.month).count += 1;
    if (budget?.kind === 'reserve') this.budgets.reserve(accountId, budget);
    const budgets = this.budgets.viewOf(accountId);
    return { outcome: 'admitted', caller, budgets };
  }

  async windowCount(keyDigest: string, counter: string): Promise<WindowCount> {
    const accountId = this.#lookups.get(keyDigest);
    const found =
      this.#keyCounters.get(keyDigest)?.get(counter) ??
      (accountId === undefined ? undefined : this.#accountCounters.get(accountId)?.get(counter));
    return found === undefined ? { count: 0, refused: 0 } : { ...found };
  }

  /** Sets a window counter (tests: a month already used up). */
  setWindowCount(keyDigest: string, counter: string, count: number): void {
    const accountId = this.#lookups.get(keyDigest);
    if (accountId === undefined) throw accountNotFound();
    const counters = counter.startsWith('month@')
      ? this.#countersOf(this.#accountCounters, accountId)
      : this.#countersOf(this.#keyCounters, keyDigest);
    counters.set(counter, { count, refused: 0 });
  }

  #countersOf(all: Map<string, Counters>, id: string): Counters {
    let counters = all.get(id);
    if (counters === undefined) {
      counters = new Map();
      all.set(id, counters);
    }
    return counters;
  }

  async getMetrionKey(accountId: string): Promise<StoredMetrionKey | undefined> {
    const profile = this.#profiles.get(accountId);
    return profile === undefined ? undefined : copy(profile.metrionKey);
  }

  /** Same order as the Dynamo adapter: old lookup gone, profile swapped, then new lookup. */
  async replaceMetrionKey(accountId: string, next: StoredMetrionKey): Promise<void> {
    const profile = this.#profiles.get(accountId);
    if (profile === undefined) throw accountNotFound();
    if (this.#lookups.get(profile.metrionKey.digest) === accountId) {
      this.#lookups.delete(profile.metrionKey.digest);
    }
    profile.metrionKey = copy(next);
    const owner = this.#lookups.get(next.digest);
    if (owner !== undefined && owner !== accountId) throw new MetrionKeyConflictError();
    this.#lookups.set(next.digest, accountId);
  }

  async updateProfile(
    accountId: string,
    changes: Partial<Pick<Account, 'displayName' | 'currency' | 'plan'>>,
  ): Promise<Account> {
    const profile = this.#profiles.get(accountId);
    if (profile === undefined) throw accountNotFound();
    profile.account = {
      ...profile.account,
      ...(changes.displayName === undefined ? {} : { displayName: changes.displayName }),
      ...(changes.currency === undefined ? {} : { currency: changes.currency }),
      ...(changes.plan === undefined ? {} : { plan: changes.plan }),
    };
    return accountOf(profile);
  }

  async putProviderKey(key: StoredProviderKey): Promise<void> {
    let keys = this.#providerKeys.get(key.accountId);
    if (keys === undefined) {
      keys = new Map();
      this.#providerKeys.set(key.accountId, keys);
    }
    keys.set(key.provider, copy(key));
  }

  async listProviderKeys(accountId: string): Promise<StoredProviderKey[]> {
    const keys = [...(this.#providerKeys.get(accountId)?.values() ?? [])];
    // Code-unit order, like DynamoDB's sort-key order.
    return keys.sort((a, b) => (a.provider < b.provider ? -1 : 1)).map(copy);
  }

  async deleteProviderKey(accountId: string, provider: ProviderId): Promise<boolean> {
    return this.#providerKeys.get(accountId)?.delete(provider) ?? false;
  }

  /** Every secret, on one page. */
  async listSealedSecrets(): Promise<SealedSecretPage> {
    const secrets: StoredSealedSecret[] = [];
    for (const [accountId, profile] of this.#profiles) {
      secrets.push({ accountId, sealed: copy(profile.metrionKey.sealed) });
      for (const key of this.#providerKeys.get(accountId)?.values() ?? []) {
        secrets.push({ accountId, provider: key.provider, sealed: copy(key.sealed) });
      }
    }
    return { secrets };
  }

  async replaceSealedSecret(secret: StoredSealedSecret, next: SealedSecret): Promise<boolean> {
    const holder =
      secret.provider === undefined
        ? this.#profiles.get(secret.accountId)?.metrionKey
        : this.#providerKeys.get(secret.accountId)?.get(secret.provider);
    if (holder?.sealed.ciphertext !== secret.sealed.ciphertext) return false;
    (holder as { sealed: SealedSecret }).sealed = copy(next);
    return true;
  }

  async getBillingRecord(accountId: string): Promise<BillingRecord | undefined> {
    const profile = this.#profiles.get(accountId);
    return profile === undefined
      ? undefined
      : {
          plan: profile.account.plan,
          billing: copy(profile.billing),
          version: profile.billingVersion,
        };
  }

  async setStripeCustomerId(accountId: string, customerId: string): Promise<string> {
    const profile = this.#profiles.get(accountId);
    if (profile === undefined) throw accountNotFound();
    if (profile.billing.stripeCustomerId === undefined) {
      profile.billing = { ...profile.billing, stripeCustomerId: customerId };
    }
    return profile.billing.stripeCustomerId ?? customerId;
  }

  async saveBillingState(
    accountId: string,
    next: { readonly billing: BillingState; readonly plan: Plan },
    expectedVersion: number,
  ): Promise<boolean> {
    const profile = this.#profiles.get(accountId);
    if (profile === undefined) throw accountNotFound();
    if (profile.billingVersion !== expectedVersion) return false;
    const { subscriptions } = copy(next.billing);
    profile.billing = {
      ...(profile.billing.stripeCustomerId === undefined
        ? {}
        : { stripeCustomerId: profile.billing.stripeCustomerId }),
      ...(subscriptions === undefined || Object.keys(subscriptions).length === 0
        ? {}
        : { subscriptions }),
    };
    profile.account = { ...profile.account, plan: next.plan };
    profile.billingVersion += 1;
    return true;
  }

  async isBillingEventProcessed(eventId: string, nowMs: number): Promise<boolean> {
    const expiresAt = this.#processedEvents.get(eventId);
    return expiresAt !== undefined && expiresAt > Math.floor(nowMs / 1000);
  }

  async recordBillingEventProcessed(
    eventId: string,
    nowMs: number,
    expiresAtEpochSeconds: number,
  ): Promise<boolean> {
    if (await this.isBillingEventProcessed(eventId, nowMs)) return false;
    this.#processedEvents.set(eventId, expiresAtEpochSeconds);
    return true;
  }
}
