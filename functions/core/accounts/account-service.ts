import { effectivePlan } from '../billing/billing-state.ts';
import { AccountExistsError, EmailTakenError, InvalidRequestError } from '../errors.ts';
import type { AccountEmailIndex } from '../ports/account-email-index.ts';
import type { AccountStore } from '../ports/account-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { MetrionKeyStore } from '../ports/metrion-key-store.ts';
import type { ProviderKeyStore } from '../ports/provider-key-store.ts';
import type { Random } from '../ports/random.ts';
import { hasUnsafeNameCharacter, UNSAFE_NAME_RULE } from '../text/safe-name.ts';
import type { SecretVault } from '../vault/secret-vault.ts';
import { type Account, CURRENCIES, type Currency, MAX_DISPLAY_NAME_LENGTH } from './account.ts';
import { generateMetrionKey } from './metrion-key.ts';
import { createMetrionKeyService, sealMetrionKey } from './metrion-key-service.ts';
import { createProviderKeyService } from './provider-key-service.ts';
import type { SignedInUser } from './signed-in-user.ts';

export interface AccountServiceDeps {
  readonly accounts: AccountStore;
  /** One account per email address. */
  readonly emails: AccountEmailIndex;
  readonly metrionKeys: MetrionKeyStore;
  readonly providerKeys: ProviderKeyStore;
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

/**
 * The trimmed display name of a General settings change, after checking the whole change.
 * @throws InvalidRequestError naming the rule that failed.
 */
function checkedGeneralChange(change: GeneralSettingsChange): string | undefined {
  const displayName = change.displayName?.trim();
  if (displayName !== undefined) {
    if (displayName.length === 0) throw new InvalidRequestError('Display name cannot be empty.');
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
  return displayName;
}

/** Claims the address for the account, taking over a claim a crashed creation left behind. */
async function claimEmail(
  deps: AccountServiceDeps,
  email: string,
  accountId: string,
  nowIso: string,
): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const claim = await deps.emails.claimEmail(email, accountId, nowIso);
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

/**
 * Creates an account on the Free plan with a fresh Metrion Key.
 * @throws EmailTakenError when another account has the email address.
 */
async function createAccount(
  deps: AccountServiceDeps,
  input: { email: string; displayName?: string; accountId?: string },
): Promise<CreatedAccount> {
  const nowIso = new Date(deps.clock.nowMs()).toISOString();
  const accountId = input.accountId ?? toHex(deps.random.bytes(16));
  const account: Account = {
    accountId,
    email: input.email,
    displayName: input.displayName ?? input.email.split('@')[0] ?? input.email,
    currency: 'USD',
    plan: 'free',
    createdAt: nowIso,
  };
  const metrionKey = generateMetrionKey(deps.random);
  await claimEmail(deps, input.email, accountId, nowIso);
  try {
    await deps.accounts.createAccount(account, await sealMetrionKey(deps, accountId, metrionKey));
  } catch (error) {
    // An AccountExistsError is a concurrent first sign-in of this account: the claim is its.
    if (!(error instanceof AccountExistsError)) {
      await deps.emails.releaseEmail(input.email, accountId).catch(() => false);
    }
    throw error;
  }
  return { account, metrionKey };
}

/** Account use cases shared by the operator CLI and the dashboard API. */
export function createAccountService(deps: AccountServiceDeps) {
  /** The plan the proxy enforces right now (a canceled Pro ends at its period end). */
  const withEffectivePlan = (account: Account): Account => ({
    ...account,
    plan: effectivePlan(account, deps.clock.nowMs()),
  });

  return {
    createAccount: (input: Parameters<typeof createAccount>[1]) => createAccount(deps, input),

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
        return (await createAccount(deps, { accountId: user.accountId, email: user.email }))
          .account;
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
      const displayName = checkedGeneralChange(change);
      return withEffectivePlan(
        await deps.accounts.updateProfile(accountId, {
          displayName,
          currency: change.currency,
        }),
      );
    },

    ...createMetrionKeyService(deps),
    ...createProviderKeyService(deps),
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
