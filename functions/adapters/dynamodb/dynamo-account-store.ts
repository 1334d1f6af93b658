// AccountStore on DynamoDB: GetItem (consistent), BatchGetItem (consistent), Query (consistent),
// PutItem / UpdateItem / DeleteItem (conditional). No TransactWriteItems (dynalite has none):
// multi-item changes are ordered single-item writes that fail closed.
import {
  BatchGetCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Account, StoredMetrionKey, StoredProviderKey } from '#core/accounts/account.ts';
import { AccountExistsError, MetrionKeyConflictError, NotFoundError } from '#core/errors.ts';
import type { AccountStore, ProxyAccountView } from '#core/ports/account-store.ts';
import type { ProviderId } from '#core/providers/provider-registry.ts';
import type { SealedSecret } from '#core/vault/sealed-secret.ts';
import { dynamoCall, dynamoUnavailable } from './dynamo-errors.ts';
import { queryPages } from './query-pages.ts';

export interface DynamoAccountStoreOptions {
  readonly client: DynamoDBDocumentClient;
  /** Physical name of the `accounts` table (see `tableName(prefix, 'accounts')`). */
  readonly tableName: string;
}

type Key = { readonly pk: string; readonly sk: string };

/** `pk=ACCOUNT#<id>, sk=PROFILE`: the account plus its current Metrion Key. */
interface ProfileItem extends Account, Key {
  readonly metrionKeyDigest: string;
  readonly metrionKeySealed: SealedSecret;
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

const PROFILE_FIELDS = ['displayName', 'currency', 'plan'] as const;

function accountNotFound(): NotFoundError {
  return new NotFoundError('This account does not exist.');
}

function toAccount(item: Account): Account {
  return {
    accountId: item.accountId,
    email: item.email,
    displayName: item.displayName,
    currency: item.currency,
    plan: item.plan,
    createdAt: item.createdAt,
  };
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
      ...toAccount(account),
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
    return providerKey === undefined
      ? { account: toAccount(profile) }
      : { account: toAccount(profile), providerKey: toProviderKey(providerKey) };
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

    await dynamoCall(
      'UpdateItem',
      async () => {
        await this.#client.send(
          new UpdateCommand({
            TableName: this.#tableName,
            Key: profileKey(accountId),
            UpdateExpression: 'SET metrionKeyDigest = :next, metrionKeySealed = :sealed',
            ConditionExpression: 'metrionKeyDigest = :previous',
            ExpressionAttributeValues: {
              ':next': next.digest,
              ':sealed': next.sealed,
              ':previous': previousDigest,
            },
          }),
        );
      },
      async () => {
        throw (await this.#getProfile(accountId)) === undefined
          ? accountNotFound()
          : new MetrionKeyConflictError();
      },
    );

    const lookup: LookupItem = { ...lookupKey(next.digest), accountId };
    await this.#put(
      lookup,
      'attribute_not_exists(pk) OR accountId = :accountId',
      { ':accountId': accountId },
      () => {
        throw new MetrionKeyConflictError();
      },
    );
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
    const output = await dynamoCall(
      'UpdateItem',
      () =>
        this.#client.send(
          new UpdateCommand({
            TableName: this.#tableName,
            Key: profileKey(accountId),
            UpdateExpression: `SET ${fields.map((field) => `#${field} = :${field}`).join(', ')}`,
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: Object.fromEntries(
              fields.map((field) => [`#${field}`, field]),
            ),
            ExpressionAttributeValues: Object.fromEntries(
              fields.map((field) => [`:${field}`, changes[field]]),
            ),
            ReturnValues: 'ALL_NEW',
          }),
        ),
      () => {
        throw accountNotFound();
      },
    );
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
    await dynamoCall(
      'DeleteItem',
      async () => {
        await this.#client.send(
          new DeleteCommand({
            TableName: this.#tableName,
            Key: key,
            ConditionExpression: condition,
            ExpressionAttributeValues: values,
          }),
        );
      },
      () => undefined,
    );
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
