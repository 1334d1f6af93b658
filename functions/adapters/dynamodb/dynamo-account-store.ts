// AccountStore on DynamoDB: GetItem (consistent), BatchGetItem (consistent), Query (consistent),
// PutItem / UpdateItem / DeleteItem (conditional). No TransactWriteItems (dynalite has none):
// multi-item changes are ordered single-item writes that fail closed. Billing state lives on the
// profile item (the item the proxy reads); processed Stripe event ids are their own items.
import {
  BatchGetCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Account, Plan, StoredMetrionKey, StoredProviderKey } from '#core/accounts/account.ts';
import type {
  BillingState,
  CompletedCheckout,
  InvoiceOutcome,
  SubscriptionSnapshot,
} from '#core/billing/billing-state.ts';
import { AccountExistsError, MetrionKeyConflictError, NotFoundError } from '#core/errors.ts';
import type { AccountStore, BillingRecord, ProxyAccountView } from '#core/ports/account-store.ts';
import type { ProviderId } from '#core/providers/provider-registry.ts';
import type { SealedSecret } from '#core/vault/sealed-secret.ts';
import {
  conditionalDelete,
  conditionalPut,
  conditionalUpdate,
  conditionalUpdateOutput,
} from './conditional-write.ts';
import { dynamoCall, dynamoUnavailable } from './dynamo-errors.ts';
import { queryPages } from './query-pages.ts';

export interface DynamoAccountStoreOptions {
  readonly client: DynamoDBDocumentClient;
  /** Physical name of the `accounts` table (see `tableName(prefix, 'accounts')`). */
  readonly tableName: string;
}

type Key = { readonly pk: string; readonly sk: string };

/** `pk=ACCOUNT#<id>, sk=PROFILE`: the account, its current Metrion Key and its billing state. */
interface ProfileItem extends Omit<Account, 'billing'>, Key {
  readonly metrionKeyDigest: string;
  readonly metrionKeySealed: SealedSecret;
  /** Set once, conditionally (`setStripeCustomerId`). */
  readonly stripeCustomerId?: string;
  readonly billingSubscription?: SubscriptionSnapshot;
  readonly billingCheckout?: CompletedCheckout;
  readonly billingLastInvoice?: InvoiceOutcome;
  /** Optimistic-concurrency version of the billing registers; absent = 0. */
  readonly billingVersion?: number;
}

/** `pk=STRIPE_EVENT#<id>, sk=PROCESSED`: a Stripe event already applied (expires by TTL). */
interface ProcessedEventItem extends Key {
  readonly expiresAtEpochSeconds: number;
}

/** `pk=ACCOUNT#<id>, sk=PROVIDER_KEY#<provider>`. */
interface ProviderKeyItem extends StoredProviderKey, Key {}

/** `pk=METRION_KEY#<digest>, sk=LOOKUP`: the only way from a presented key to an account. */
interface LookupItem extends Key {
  readonly accountId: string;
}

const PROFILE_SK = 'PROFILE';
const PROVIDER_KEY_PREFIX = 'PROVIDER_KEY#';
const LOOKUP_SK = 'LOOKUP';
const BATCH_GET_ATTEMPTS = 4;
const BATCH_GET_BASE_DELAY_MS = 15;

const accountPk = (accountId: string): string => `ACCOUNT#${accountId}`;
const profileKey = (accountId: string): Key => ({ pk: accountPk(accountId), sk: PROFILE_SK });
const providerKeyKey = (accountId: string, provider: ProviderId): Key => ({
  pk: accountPk(accountId),
  sk: `${PROVIDER_KEY_PREFIX}${provider}`,
});
const lookupKey = (digest: string): Key => ({ pk: `METRION_KEY#${digest}`, sk: LOOKUP_SK });
const processedEventKey = (eventId: string): Key => ({
  pk: `STRIPE_EVENT#${eventId}`,
  sk: 'PROCESSED',
});

const PROFILE_FIELDS = ['displayName', 'currency', 'plan'] as const;

function accountNotFound(): NotFoundError {
  return new NotFoundError('This account does not exist.');
}

function toBilling(item: ProfileItem): BillingState {
  return {
    ...(item.stripeCustomerId === undefined ? {} : { stripeCustomerId: item.stripeCustomerId }),
    ...(item.billingSubscription === undefined ? {} : { subscription: item.billingSubscription }),
    ...(item.billingCheckout === undefined ? {} : { checkout: item.billingCheckout }),
    ...(item.billingLastInvoice === undefined ? {} : { lastInvoice: item.billingLastInvoice }),
  };
}

/** The profile fields only (what `createAccount` writes); billing has its own writes. */
function profileFields(item: Account): Omit<Account, 'billing'> {
  return {
    accountId: item.accountId,
    email: item.email,
    displayName: item.displayName,
    currency: item.currency,
    plan: item.plan,
    createdAt: item.createdAt,
  };
}

function toAccount(item: ProfileItem): Account {
  const billing = toBilling(item);
  return Object.keys(billing).length === 0
    ? profileFields(item)
    : { ...profileFields(item), billing };
}

function toProviderKey(item: StoredProviderKey): StoredProviderKey {
  return {
    accountId: item.accountId,
    provider: item.provider,
    sealed: item.sealed,
    createdAt: item.createdAt,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** {@link AccountStore} on the `accounts` table (`pk`/`sk`); every access decision reads consistently. */
export class DynamoAccountStore implements AccountStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoAccountStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  /**
   * Profile first, lookup item last: a crash in between leaves an account without a usable key,
   * never a key without an account. A digest already owned by another account is never
   * overwritten; the profile is then removed again and `metrion_key_conflict` thrown.
   */
  async createAccount(account: Account, metrionKey: StoredMetrionKey): Promise<void> {
    const profile: ProfileItem = {
      ...profileKey(account.accountId),
      ...profileFields(account),
      metrionKeyDigest: metrionKey.digest,
      metrionKeySealed: metrionKey.sealed,
    };
    await this.#put(profile, 'attribute_not_exists(pk)', undefined, () => {
      throw new AccountExistsError();
    });
    const lookup: LookupItem = { ...lookupKey(metrionKey.digest), accountId: account.accountId };
    await this.#put(lookup, 'attribute_not_exists(pk)', undefined, async () => {
      await this.#rollBackProfile(account.accountId, metrionKey.digest);
      throw new MetrionKeyConflictError();
    });
  }

  async getAccount(accountId: string): Promise<Account | undefined> {
    const profile = await this.#getProfile(accountId);
    return profile === undefined ? undefined : toAccount(profile);
  }

  async findAccountIdByKeyDigest(digest: string): Promise<string | undefined> {
    const item = await this.#get<LookupItem>(lookupKey(digest));
    return item?.accountId;
  }

  /** One consistent BatchGetItem for the profile and the provider key (unprocessed keys retried). */
  async getProxyView(
    accountId: string,
    provider: ProviderId,
  ): Promise<ProxyAccountView | undefined> {
    const items = await this.#batchGetConsistent([
      profileKey(accountId),
      providerKeyKey(accountId, provider),
    ]);
    const profile = items.find((item) => item.sk === PROFILE_SK) as ProfileItem | undefined;
    if (profile === undefined) return undefined;
    const providerKey = items.find((item) => item.sk !== PROFILE_SK) as ProviderKeyItem | undefined;
    const view = { account: toAccount(profile), metrionKeyDigest: profile.metrionKeyDigest };
    return providerKey === undefined ? view : { ...view, providerKey: toProviderKey(providerKey) };
  }

  async getMetrionKey(accountId: string): Promise<StoredMetrionKey | undefined> {
    const profile = await this.#getProfile(accountId);
    return profile === undefined
      ? undefined
      : { digest: profile.metrionKeyDigest, sealed: profile.metrionKeySealed };
  }

  /**
   * 1. delete the old lookup item (only if it is this account's), 2. swap digest and sealed copy
   * on the profile, conditional on the digest read before (two concurrent regenerations cannot
   * both win), 3. put the new lookup item. Any interruption leaves no valid key.
   */
  async replaceMetrionKey(accountId: string, next: StoredMetrionKey): Promise<void> {
    const profile = await this.#getProfile(accountId);
    if (profile === undefined) throw accountNotFound();
    const previousDigest = profile.metrionKeyDigest;

    await this.#deleteLookupIfOwned(previousDigest, accountId);

    const swapped = await conditionalUpdate(this.#client, {
      TableName: this.#tableName,
      Key: profileKey(accountId),
      UpdateExpression: 'SET metrionKeyDigest = :next, metrionKeySealed = :sealed',
      ConditionExpression: 'metrionKeyDigest = :previous',
      ExpressionAttributeValues: {
        ':next': next.digest,
        ':sealed': next.sealed,
        ':previous': previousDigest,
      },
    });
    if (!swapped) {
      throw (await this.#getProfile(accountId)) === undefined
        ? accountNotFound()
        : new MetrionKeyConflictError();
    }

    const lookup: LookupItem = { ...lookupKey(next.digest), accountId };
    await this.#put(
      lookup,
      'attribute_not_exists(pk) OR accountId = :accountId',
      { ':accountId': accountId },
      () => {
        throw new MetrionKeyConflictError();
      },
    );
    // A concurrent replacement that read this key as "previous" may have swapped the profile
    // before this lookup item landed: the profile decides, and a stale lookup is removed.
    if ((await this.#getProfile(accountId))?.metrionKeyDigest !== next.digest) {
      await this.#deleteLookupIfOwned(next.digest, accountId);
      throw new MetrionKeyConflictError();
    }
  }

  /** UpdateItem conditional on the profile existing; returns the updated account (ALL_NEW). */
  async updateProfile(
    accountId: string,
    changes: Partial<Pick<Account, 'displayName' | 'currency' | 'plan'>>,
  ): Promise<Account> {
    const fields = PROFILE_FIELDS.filter((field) => changes[field] !== undefined);
    if (fields.length === 0) {
      const account = await this.getAccount(accountId);
      if (account === undefined) throw accountNotFound();
      return account;
    }
    const output = await conditionalUpdateOutput(this.#client, {
      TableName: this.#tableName,
      Key: profileKey(accountId),
      UpdateExpression: `SET ${fields.map((field) => `#${field} = :${field}`).join(', ')}`,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: Object.fromEntries(fields.map((field) => [`#${field}`, field])),
      ExpressionAttributeValues: Object.fromEntries(
        fields.map((field) => [`:${field}`, changes[field]]),
      ),
      ReturnValues: 'ALL_NEW',
    });
    if (output === undefined) throw accountNotFound();
    return toAccount(output.Attributes as ProfileItem);
  }

  async putProviderKey(key: StoredProviderKey): Promise<void> {
    const item: ProviderKeyItem = {
      ...providerKeyKey(key.accountId, key.provider),
      ...toProviderKey(key),
    };
    await this.#put(item);
  }

  /** Consistent Query on `begins_with(sk, 'PROVIDER_KEY#')`; sort-key order is provider-id order. */
  async listProviderKeys(accountId: string): Promise<StoredProviderKey[]> {
    const keys: StoredProviderKey[] = [];
    const pages = queryPages(this.#client, {
      TableName: this.#tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: {
        ':pk': accountPk(accountId),
        ':prefix': PROVIDER_KEY_PREFIX,
      },
      ConsistentRead: true,
    });
    for await (const page of pages) {
      for (const item of page.Items ?? []) keys.push(toProviderKey(item as ProviderKeyItem));
    }
    return keys;
  }

  /** DeleteItem with ReturnValues ALL_OLD: true when an item was there. */
  async deleteProviderKey(accountId: string, provider: ProviderId): Promise<boolean> {
    const output = await dynamoCall('DeleteItem', () =>
      this.#client.send(
        new DeleteCommand({
          TableName: this.#tableName,
          Key: providerKeyKey(accountId, provider),
          ReturnValues: 'ALL_OLD',
        }),
      ),
    );
    return output.Attributes !== undefined;
  }

  async getBillingRecord(accountId: string): Promise<BillingRecord | undefined> {
    const profile = await this.#getProfile(accountId);
    return profile === undefined
      ? undefined
      : { plan: profile.plan, billing: toBilling(profile), version: profile.billingVersion ?? 0 };
  }

  /** UpdateItem conditional on no (or the same) customer id; the loser reads the winner's. */
  async setStripeCustomerId(accountId: string, customerId: string): Promise<string> {
    const set = await conditionalUpdate(this.#client, {
      TableName: this.#tableName,
      Key: profileKey(accountId),
      UpdateExpression: 'SET stripeCustomerId = :customerId',
      ConditionExpression:
        'attribute_exists(pk) AND (attribute_not_exists(stripeCustomerId) OR stripeCustomerId = :customerId)',
      ExpressionAttributeValues: { ':customerId': customerId },
    });
    if (set) return customerId;
    const stored = (await this.#getProfile(accountId))?.stripeCustomerId;
    if (stored === undefined) throw accountNotFound();
    return stored;
  }

  /**
   * UpdateItem of the billing registers, `plan` and `billingVersion`, conditional on the
   * version read before; a register absent from `next` is removed.
   */
  async saveBillingState(
    accountId: string,
    next: { readonly billing: BillingState; readonly plan: Plan },
    expectedVersion: number,
  ): Promise<boolean> {
    const set = ['#plan = :plan', 'billingVersion = :nextVersion'];
    const remove: string[] = [];
    const values: Record<string, unknown> = {
      ':plan': next.plan,
      ':nextVersion': expectedVersion + 1,
      ':expectedVersion': expectedVersion,
    };
    const registers = [
      ['billingSubscription', next.billing.subscription],
      ['billingCheckout', next.billing.checkout],
      ['billingLastInvoice', next.billing.lastInvoice],
    ] as const;
    for (const [attribute, value] of registers) {
      if (value === undefined) {
        remove.push(attribute);
      } else {
        set.push(`${attribute} = :${attribute}`);
        values[`:${attribute}`] = value;
      }
    }
    const versionMatches =
      expectedVersion === 0
        ? '(attribute_not_exists(billingVersion) OR billingVersion = :expectedVersion)'
        : 'billingVersion = :expectedVersion';
    const saved = await conditionalUpdate(this.#client, {
      TableName: this.#tableName,
      Key: profileKey(accountId),
      UpdateExpression: `SET ${set.join(', ')}${remove.length === 0 ? '' : ` REMOVE ${remove.join(', ')}`}`,
      ConditionExpression: `attribute_exists(pk) AND ${versionMatches}`,
      ExpressionAttributeNames: { '#plan': 'plan' },
      ExpressionAttributeValues: values,
    });
    if (!saved && (await this.#getProfile(accountId)) === undefined) throw accountNotFound();
    return saved;
  }

  /** Consistent GetItem; an expired item (TTL deletes lazily, dynalite never) counts as absent. */
  async isBillingEventProcessed(eventId: string, nowMs: number): Promise<boolean> {
    const item = await this.#get<ProcessedEventItem>(processedEventKey(eventId));
    return item !== undefined && item.expiresAtEpochSeconds > Math.floor(nowMs / 1000);
  }

  /** PutItem conditional on no unexpired record of the event. */
  async recordBillingEventProcessed(
    eventId: string,
    nowMs: number,
    expiresAtEpochSeconds: number,
  ): Promise<boolean> {
    const item: ProcessedEventItem = { ...processedEventKey(eventId), expiresAtEpochSeconds };
    return conditionalPut(this.#client, {
      TableName: this.#tableName,
      Item: item,
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAtEpochSeconds <= :now',
      ExpressionAttributeValues: { ':now': Math.floor(nowMs / 1000) },
    });
  }

  async #getProfile(accountId: string): Promise<ProfileItem | undefined> {
    return this.#get<ProfileItem>(profileKey(accountId));
  }

  async #get<T>(key: Key): Promise<T | undefined> {
    const output = await dynamoCall('GetItem', () =>
      this.#client.send(
        new GetCommand({ TableName: this.#tableName, Key: key, ConsistentRead: true }),
      ),
    );
    return output.Item as T | undefined;
  }

  async #put(
    item: Key,
    condition?: string,
    values?: Record<string, unknown>,
    onConditionFailed?: () => void | Promise<void>,
  ): Promise<void> {
    await dynamoCall(
      'PutItem',
      async () => {
        await this.#client.send(
          new PutCommand({
            TableName: this.#tableName,
            Item: item,
            ConditionExpression: condition,
            ExpressionAttributeValues: values,
          }),
        );
      },
      onConditionFailed,
    );
  }

  /** Never deletes a lookup item that resolves to another account. */
  async #deleteLookupIfOwned(digest: string, accountId: string): Promise<void> {
    await this.#conditionalDelete(
      lookupKey(digest),
      'attribute_not_exists(pk) OR accountId = :accountId',
      { ':accountId': accountId },
    );
  }

  /** Undo a profile whose lookup item could not be written (only if it is still ours). */
  async #rollBackProfile(accountId: string, digest: string): Promise<void> {
    await this.#conditionalDelete(profileKey(accountId), 'metrionKeyDigest = :digest', {
      ':digest': digest,
    });
  }

  /** DeleteItem that does nothing (and succeeds) when the condition does not hold. */
  async #conditionalDelete(
    key: Key,
    condition: string,
    values: Record<string, unknown>,
  ): Promise<void> {
    await conditionalDelete(this.#client, {
      TableName: this.#tableName,
      Key: key,
      ConditionExpression: condition,
      ExpressionAttributeValues: values,
    });
  }

  async #batchGetConsistent(keys: readonly Key[]): Promise<Key[]> {
    const found: Key[] = [];
    let pending: Record<string, unknown>[] = [...keys];
    for (let attempt = 1; ; attempt += 1) {
      const output = await dynamoCall('BatchGetItem', () =>
        this.#client.send(
          new BatchGetCommand({
            RequestItems: { [this.#tableName]: { Keys: pending, ConsistentRead: true } },
          }),
        ),
      );
      found.push(...((output.Responses?.[this.#tableName] ?? []) as Key[]));
      const unprocessed = output.UnprocessedKeys?.[this.#tableName]?.Keys ?? [];
      if (unprocessed.length === 0) return found;
      if (attempt >= BATCH_GET_ATTEMPTS) {
        throw dynamoUnavailable('BatchGetItem', { retryable: true });
      }
      pending = unprocessed;
      // Exponential backoff with full jitter, as AWS recommends for unprocessed keys.
      await sleep(Math.random() * BATCH_GET_BASE_DELAY_MS * 2 ** attempt);
    }
  }
}
