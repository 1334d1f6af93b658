import { effectivePlan } from '../billing/billing-state.ts';
import {
  AccountExistsError,
  EmailTakenError,
  InvalidRequestError,
  MetrionKeyConflictError,
  NotFoundError,
} from '../errors.ts';
import type { AccountEmailIndex } from '../ports/account-email-index.ts';
import type { AccountStore } from '../ports/account-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { Random } from '../ports/random.ts';
import { PROVIDERS, type ProviderId } from '../providers/provider-registry.ts';
import { hasUnsafeNameCharacter, UNSAFE_NAME_RULE } from '../text/safe-name.ts';
import { metrionKeyContext, providerKeyContext, type SecretVault } from '../vault/secret-vault.ts';
import {
  type Account,
  CURRENCIES,
  type Currency,
  MAX_DISPLAY_NAME_LENGTH,
  type StoredMetrionKey,
} from './account.ts';
import { generateMetrionKey, looksLikeMetrionKey, metrionKeyDigest } from './metrion-key.ts';
import type { SignedInUser } from './signed-in-user.ts';

export interface AccountServiceDeps {
  readonly accounts: AccountStore;
  /** One account per email address. */
  readonly emails: AccountEmailIndex;
  readonly vault: SecretVault;
  readonly random: Random;
  readonly clock: Clock;
  readonly pepper: Uint8Array;
}

export interface CreatedAccount {
  readonly account: Account;
  /** Shown once to the caller; only its digest and a sealed copy are stored. */
  readonly metrionKey: string;
}

/** Summary of a stored provider key: never the key, not even a fragment. */
export interface ProviderKeySummary {
  readonly provider: ProviderId;
  readonly createdAt: string;
}

/** Changes to the General settings; at least one field. */
export interface GeneralSettingsChange {
  readonly displayName?: string;
  readonly currency?: Currency;
}

/**
 * A claim older than this whose account does not exist was left by a creation that died between
 * its two writes; younger ones may belong to a creation still under way.
 */
const ORPHANED_CLAIM_AFTER_MS = 60_000;

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Account use cases shared by the operator CLI and the dashboard API. */
export function createAccountService(deps: AccountServiceDeps) {
  const nowIso = () => new Date(deps.clock.nowMs()).toISOString();
  /** The plan the proxy enforces right now (a canceled Pro ends at its period end). */
  const withEffectivePlan = (account: Account): Account => ({
    ...account,
    plan: effectivePlan(account, deps.clock.nowMs()),
  });

  /**
   * Creates an account on the Free plan with a fresh Metrion Key.
   * @throws EmailTakenError when another account has the email address.
   */
  async function createAccount(input: {
    email: string;
    displayName?: string;
    accountId?: string;
  }): Promise<CreatedAccount> {
    const accountId = input.accountId ?? toHex(deps.random.bytes(16));
    const account: Account = {
      accountId,
      email: input.email,
      displayName: input.displayName ?? input.email.split('@')[0] ?? input.email,
      currency: 'USD',
      plan: 'free',
      createdAt: nowIso(),
    };
    const metrionKey = generateMetrionKey(deps.random);
    await claimEmail(input.email, accountId);
    try {
      await deps.accounts.createAccount(account, await sealMetrionKey(accountId, metrionKey));
    } catch (error) {
      // An AccountExistsError is a concurrent first sign-in of this account: the claim is its.
      if (!(error instanceof AccountExistsError)) {
        await deps.emails.releaseEmail(input.email, accountId).catch(() => false);
      }
      throw error;
    }
    return { account, metrionKey };
  }

  /** Claims the address for the account, taking over a claim a crashed creation left behind. */
  async function claimEmail(email: string, accountId: string): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const claim = await deps.emails.claimEmail(email, accountId, nowIso());
      if (claim.accountId === accountId) return;
      const orphaned =
        deps.clock.nowMs() - Date.parse(claim.claimedAt) > ORPHANED_CLAIM_AFTER_MS &&
        (await deps.accounts.getAccount(claim.accountId)) === undefined;
      if (!(orphaned && (await deps.emails.releaseEmail(email, claim.accountId)))) {
        throw new EmailTakenError(claim.accountId);
      }
    }
    throw new EmailTakenError(accountId);
  }

  async function sealMetrionKey(accountId: string, key: string): Promise<StoredMetrionKey> {
    return {
      digest: metrionKeyDigest(key, deps.pepper),
      sealed: await deps.vault.seal(key, metrionKeyContext(accountId)),
    };
  }

  return {
    createAccount,

    /** The account, or undefined. */
    async findAccount(accountId: string): Promise<Account | undefined> {
      const account = await deps.accounts.getAccount(accountId);
      return account === undefined ? undefined : withEffectivePlan(account);
    },

    /** The id of the account that has this email address, or undefined. */
    async findAccountIdByEmail(email: string): Promise<string | undefined> {
      return (await deps.emails.findEmail(email))?.accountId;
    },

    /**
     * The signed-in user's account, created on the first sign-in (Free plan, a fresh Metrion
     * Key, the sign-in email). Two concurrent first sign-ins end with one account.
     */
    async signIn(user: SignedInUser): Promise<Account> {
      const existing = await deps.accounts.getAccount(user.accountId);
      if (existing !== undefined) return withEffectivePlan(existing);
      try {
        return (await createAccount({ accountId: user.accountId, email: user.email })).account;
      } catch (error) {
        if (!(error instanceof AccountExistsError)) throw error;
        const created = await deps.accounts.getAccount(user.accountId);
        if (created === undefined) throw error;
        return withEffectivePlan(created);
      }
    },

    /**
     * Updates display name (trimmed, 1-{@link MAX_DISPLAY_NAME_LENGTH} characters, no control or invisible format characters) and/or currency.
     * @throws InvalidRequestError naming the rule that failed; NotFoundError without an account.
     */
    async updateGeneral(accountId: string, change: GeneralSettingsChange): Promise<Account> {
      const displayName = change.displayName?.trim();
      if (displayName !== undefined) {
        if (displayName.length === 0)
          throw new InvalidRequestError('Display name cannot be empty.');
        if (displayName.length > MAX_DISPLAY_NAME_LENGTH) {
          throw new InvalidRequestError(
            `Display name can have at most ${MAX_DISPLAY_NAME_LENGTH} characters.`,
          );
        }
        if (hasUnsafeNameCharacter(displayName)) {
          throw new InvalidRequestError(`Display name ${UNSAFE_NAME_RULE}`);
        }
      }
      if (change.currency !== undefined && !CURRENCIES.includes(change.currency)) {
        throw new InvalidRequestError(`Currency must be one of ${CURRENCIES.join(', ')}.`);
      }
      if (displayName === undefined && change.currency === undefined) {
        throw new InvalidRequestError('Send displayName, currency or both.');
      }
      return withEffectivePlan(
        await deps.accounts.updateProfile(accountId, {
          ...(displayName === undefined ? {} : { displayName }),
          ...(change.currency === undefined ? {} : { currency: change.currency }),
        }),
      );
    },

    /** The current Metrion Key in plain text, decrypted on demand. */
    async revealMetrionKey(accountId: string): Promise<string> {
      const stored = await deps.accounts.getMetrionKey(accountId);
      if (stored === undefined) throw new NotFoundError('This account has no Metrion Key.');
      return deps.vault.open(stored.sealed, metrionKeyContext(accountId));
    },

    /**
     * Issues a new key; the old one stops working on the very next request. When another
     * regeneration wins the race (a double click, two tabs), this caller gets the winner's key:
     * exactly one key is valid afterwards, and every caller holds it.
     */
    async regenerateMetrionKey(accountId: string): Promise<string> {
      const metrionKey = generateMetrionKey(deps.random);
      try {
        await deps.accounts.replaceMetrionKey(
          accountId,
          await sealMetrionKey(accountId, metrionKey),
        );
      } catch (error) {
        if (!(error instanceof MetrionKeyConflictError)) throw error;
        return this.revealMetrionKey(accountId);
      }
      return metrionKey;
    },

    /** Adds or replaces the account's key for `provider`, sealed before it is stored. */
    async putProviderKey(
      accountId: string,
      provider: ProviderId,
      key: string,
    ): Promise<ProviderKeySummary> {
      const trimmed = key.trim();
      if (looksLikeMetrionKey(trimmed)) {
        throw new InvalidRequestError(
          `This is a Metrion Key. Paste your ${PROVIDERS[provider].displayName} API key instead, from ${PROVIDERS[provider].consoleKeysUrl}.`,
        );
      }
      if (!PROVIDERS[provider].keyPattern.test(trimmed)) {
        throw new InvalidRequestError(
          `This does not look like an API key for ${PROVIDERS[provider].displayName}. Copy the key from ${PROVIDERS[provider].consoleKeysUrl}.`,
        );
      }
      if ((await deps.accounts.getAccount(accountId)) === undefined) {
        throw new NotFoundError('Account not found.');
      }
      const createdAt = nowIso();
      await deps.accounts.putProviderKey({
        accountId,
        provider,
        sealed: await deps.vault.seal(trimmed, providerKeyContext(accountId, provider)),
        createdAt,
      });
      return { provider, createdAt };
    },

    async listProviderKeys(accountId: string): Promise<ProviderKeySummary[]> {
      const keys = await deps.accounts.listProviderKeys(accountId);
      return keys.map(({ provider, createdAt }) => ({ provider, createdAt }));
    },

    /** Removes the key and returns where to revoke it at the provider. */
    async deleteProviderKey(
      accountId: string,
      provider: ProviderId,
    ): Promise<{ provider: ProviderId; revokeUrl: string }> {
      if (!(await deps.accounts.deleteProviderKey(accountId, provider))) {
        throw new NotFoundError(`No ${PROVIDERS[provider].displayName} key is stored.`);
      }
      return { provider, revokeUrl: PROVIDERS[provider].consoleKeysUrl };
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
