import { describe, expect, it } from 'vitest';
import { createAccountService } from '#core/accounts/account-service.ts';
import { applyBillingEvent } from '#core/billing/apply-billing-event.ts';
import { EmailTakenError, MetrionKeyConflictError } from '#core/errors.ts';
import { createSecretVault } from '#core/vault/secret-vault.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';
import { FixedRandom } from '../../../fakes/fixed-random.ts';
import { InMemoryAccountDataKeyStore } from '../../../fakes/in-memory-account-data-key-store.ts';
import { InMemoryAccountEmailIndex } from '../../../fakes/in-memory-account-email-index.ts';
import { InMemoryAccountStore } from '../../../fakes/in-memory-account-store.ts';
import { InMemoryDataKeyProvider } from '../../../fakes/in-memory-data-key-provider.ts';
import { subscriptionEvent } from '../../../fixtures/events/billing-events.ts';

function service(accounts = new InMemoryAccountStore(), emails = new InMemoryAccountEmailIndex()) {
  const clock = new FakeClock();
  const random = new FixedRandom({ seed: 'accounts' });
  const vault = createSecretVault({
    dataKeyProvider: new InMemoryDataKeyProvider(),
    accountDataKeys: new InMemoryAccountDataKeyStore(),
    random,
    clock,
  });
  return {
    accounts,
    clock,
    emails,
    service: createAccountService({
      accounts,
      metrionKeys: accounts,
      providerKeys: accounts,
      emails,
      vault,
      random,
      clock,
      pepper: new Uint8Array(32),
    }),
  };
}

const user = { accountId: 'cognito-sub-1', email: 'ada@example.com' };

describe('signIn', () => {
  it('creates the account on the first sign-in with the token email, then returns it', async () => {
    const { service: accounts, clock } = service();
    const created = await accounts.signIn(user);
    clock.advance(60_000);
    const again = await accounts.signIn(user);

    expect(created).toEqual({
      accountId: 'cognito-sub-1',
      email: 'ada@example.com',
      displayName: 'ada',
      currency: 'USD',
      plan: 'free',
      createdAt: '2025-01-01T00:00:00.000Z',
    });
    expect(again).toEqual(created);
    expect(await accounts.revealMetrionKey(user.accountId)).toMatch(/^sk-metrion-[0-9a-f]{32}$/);
  });

  it('returns the account another request created in the meantime', async () => {
    // Arrange: the account appears between this request's read and its create.
    const store = new InMemoryAccountStore();
    const { service: other } = service(store);
    const winner = await other.signIn(user);
    const read = store.getAccount.bind(store);
    let reads = 0;
    store.getAccount = async (accountId) => (reads++ === 0 ? undefined : read(accountId));
    const { service: accounts } = service(store);

    // Act
    const signedIn = await accounts.signIn(user);

    // Assert
    expect(signedIn).toEqual(winner);
    expect(reads).toBe(2);
  });

  it('passes on errors other than an existing account', async () => {
    const store = new InMemoryAccountStore();
    store.createAccount = async () => {
      throw new MetrionKeyConflictError();
    };
    const { service: accounts } = service(store);
    await expect(accounts.signIn(user)).rejects.toMatchObject({ code: 'metrion_key_conflict' });
  });
});

describe('one account per email address', () => {
  it('refuses a second account for an address another account has, in any letter case', async () => {
    // Arrange: an account created with the operator CLI
    const { service: accounts } = service();
    const first = await accounts.createAccount({ email: 'ada@example.com' });

    // Act
    const second = accounts.createAccount({ email: ' ADA@example.com' });
    const dashboardSignIn = accounts.signIn(user);

    // Assert: refused both ways, naming the account that has the address
    await expect(second).rejects.toMatchObject({
      code: 'email_taken',
      holderAccountId: first.account.accountId,
    });
    await expect(dashboardSignIn).rejects.toBeInstanceOf(EmailTakenError);
    expect(await accounts.findAccount(user.accountId)).toBeUndefined();
    expect(await accounts.findAccountIdByEmail('Ada@Example.com')).toBe(first.account.accountId);
  });

  it('finds the account of an address that signed up in the dashboard', async () => {
    const { service: accounts } = service();
    await accounts.signIn(user);

    expect(await accounts.findAccountIdByEmail(user.email)).toBe(user.accountId);
    await expect(accounts.createAccount({ email: user.email })).rejects.toMatchObject({
      holderAccountId: user.accountId,
    });
  });

  it('frees the address again when creating the account fails', async () => {
    // Arrange
    const store = new InMemoryAccountStore();
    const create = store.createAccount.bind(store);
    store.createAccount = async () => {
      throw new MetrionKeyConflictError();
    };
    const { service: accounts } = service(store);
    await expect(accounts.createAccount({ email: 'ada@example.com' })).rejects.toThrow();

    // Act
    store.createAccount = create;
    const created = await accounts.createAccount({ email: 'ada@example.com' });

    // Assert
    expect(await accounts.findAccountIdByEmail('ada@example.com')).toBe(created.account.accountId);
  });

  it('takes over a claim a crashed creation left, once it is a minute old', async () => {
    // Arrange: a claim naming an account that was never written
    const emails = new InMemoryAccountEmailIndex();
    const { service: accounts, clock } = service(new InMemoryAccountStore(), emails);
    await emails.claimEmail(
      'ada@example.com',
      'never-created',
      new Date(clock.nowMs()).toISOString(),
    );

    // Act
    const tooEarly = accounts.signIn(user);
    await expect(tooEarly).rejects.toBeInstanceOf(EmailTakenError);
    clock.advance(60_001);
    const signedIn = await accounts.signIn(user);

    // Assert
    expect(signedIn.email).toBe('ada@example.com');
    expect(await accounts.findAccountIdByEmail('ada@example.com')).toBe(user.accountId);
  });
});

describe('the plan an account view shows', () => {
  it('is the plan in force: Pro canceled at period end shows Free once the period is over', async () => {
    // Arrange: a Pro account whose subscription was canceled at the end of its period.
    const { service: accounts, accounts: store, clock } = service();
    await accounts.signIn(user);
    const context = { accountId: user.accountId, customerId: 'cus_1', subscriptionId: 'sub_1' };
    const createdEpochSeconds = Math.floor(clock.nowMs() / 1000);
    const periodEndAt = new Date(clock.nowMs() + 3_600_000).toISOString();
    const billing = [
      subscriptionEvent('customer.subscription.created', context, createdEpochSeconds, {
        currentPeriodEndAt: periodEndAt,
      }),
      subscriptionEvent('customer.subscription.updated', context, createdEpochSeconds + 1, {
        currentPeriodEndAt: periodEndAt,
        cancelAtPeriodEnd: true,
      }),
    ].reduce(applyBillingEvent, {});
    await store.saveBillingState(user.accountId, { billing, plan: 'pro' }, 0);

    // Act
    const during = await accounts.signIn(user);
    clock.advance(3_600_000);
    const after = await accounts.signIn(user);
    const updated = await accounts.updateGeneral(user.accountId, { currency: 'EUR' });

    // Assert
    expect(during.plan).toBe('pro');
    expect(after.plan).toBe('free');
    expect(updated.plan).toBe('free');
  });
});

describe('updateGeneral', () => {
  it('trims the display name and changes the currency', async () => {
    const { service: accounts } = service();
    await accounts.signIn(user);
    expect(
      await accounts.updateGeneral(user.accountId, { displayName: '  Ada L.  ', currency: 'CHF' }),
    ).toMatchObject({ displayName: 'Ada L.', currency: 'CHF' });
  });

  it.each([
    [{ displayName: ' \t ' }, 'cannot be empty'],
    [{ displayName: 'a'.repeat(81) }, 'at most 80'],
    [{ displayName: 'tab\tinside' }, 'control characters'],
    [{ displayName: 'Ada\u202Egpj.exe' }, 'invisible formatting characters'],
    [{ displayName: 'Ada\u2066Lovelace' }, 'invisible formatting characters'],
    [{ currency: 'GBP' as never }, 'one of USD, EUR, CHF'],
    [{}, 'Send displayName, currency or both.'],
  ])('rejects %o', async (change, message) => {
    const { service: accounts } = service();
    await accounts.signIn(user);
    await expect(accounts.updateGeneral(user.accountId, change)).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining(message),
    });
  });

  it('answers not_found for an account that does not exist', async () => {
    const { service: accounts } = service();
    await expect(accounts.updateGeneral('nobody', { currency: 'EUR' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});

describe('putProviderKey', () => {
  it('refuses a Metrion Key pasted as a provider key, without storing it', async () => {
    const { service: accounts } = service();
    await accounts.signIn(user);
    await expect(
      accounts.putProviderKey(user.accountId, 'openai', `sk-metrion-${'a'.repeat(32)}`),
    ).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining('Metrion Key'),
    });
    expect(await accounts.listProviderKeys(user.accountId)).toEqual([]);
  });

  it('refuses an Anthropic key for OpenAI (both start with sk-)', async () => {
    const { service: accounts } = service();
    await accounts.signIn(user);
    await expect(
      accounts.putProviderKey(user.accountId, 'openai', 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz'),
    ).rejects.toMatchObject({ code: 'invalid_request' });
  });
});
