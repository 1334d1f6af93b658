// AccountStore on DynamoDB: GetItem (consistent), Query (consistent), PutItem / UpdateItem /
// DeleteItem (conditional). No TransactWriteItems (dynalite has none): multi-item changes are
// ordered single-item writes that fail closed. Billing state (on the profile item) is
// `DynamoBillingStore`'s. Every write the proxy depends on refreshes the proxy's view on the
// Metrion Key lookup item before it returns (`proxy-view.ts`).
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Account, StoredMetrionKey, StoredProviderKey } from '#core/accounts/account.ts';
import { AccountExistsError, MetrionKeyConflictError, NotFoundError } from '#core/errors.ts';
import type { AccountStore } from '#core/ports/account-store.ts';
import type { ProviderId } from '#core/providers/provider-registry.ts';
import {
  type Key,
  lookupKey,
  type ProfileItem,
  type ProviderKeyItem,
  profileFields,
  profileKey,
  providerKeyKey,
  toAccount,
  toProviderKey,
} from './account-items.ts';
import { budgetStateOf } from './budget-ledger-items.ts';
import {
  conditionalDelete,
  conditionalUpdate,
  conditionalUpdateOutput,
} from './conditional-write.ts';
import { dynamoCall } from './dynamo-errors.ts';
import { countersOf, putBareLookup, queryProviderKeys, refreshProxyView } from './proxy-view.ts';

/** How long one key replacement may hold its account's lease; a crashed one frees it after. */
const KEY_REPLACEMENT_LEASE_MS = 10_000;
/** How often a waiting replacement looks whether the running one is done. */
const KEY_LEASE_POLL_MS = 20;

export interface DynamoAccountStoreOptions {
  readonly client: DynamoDBDocumentClient;
  /** Physical name of the `accounts` table (see `tableName(prefix, 'accounts')`). */
  readonly tableName: string;
}

const PROFILE_FIELDS = ['displayName', 'currency', 'plan'] as const;

function accountNotFound(): NotFoundError {
  return new NotFoundError('This account does not exist.');
}

/** {@link AccountStore} on the `accounts` table (`pk`/`sk`); every access decision reads consistently. */
export class DynamoAccountStore implements AccountStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoAccountStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  get #table() {
    return { client: this.#client, tableName: this.#tableName };
  }

  /**
   * Profile first, lookup item last: a crash in between leaves an account without a usable key,
   * never a key without an account. A digest already owned by another account is never
   * overwritten; the profile is then removed again and `metrion_key_conflict` thrown. The lookup
   * item is written bare and then given its view (a crash in between: the proxy builds it).
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
    if (!(await putBareLookup(this.#table, metrionKey.digest, account.accountId))) {
      await this.#rollBackProfile(account.accountId, metrionKey.digest);
      throw new MetrionKeyConflictError();
    }
    await refreshProxyView(this.#table, account.accountId);
  }

  async getAccount(accountId: string): Promise<Account | undefined> {
    const profile = await this.#getProfile(accountId);
    return profile === undefined ? undefined : toAccount(profile);
  }

  async getMetrionKey(accountId: string): Promise<StoredMetrionKey | undefined> {
    const profile = await this.#getProfile(accountId);
    return profile === undefined
      ? undefined
      : { digest: profile.metrionKeyDigest, sealed: profile.metrionKeySealed };
  }

  /**
   * 1. delete the old lookup item (only if it is this account's; ALL_OLD hands over its window
   * counters, so the month carries over exactly), 2. swap digest and sealed copy on the profile,
   * conditional on the digest read before (two concurrent regenerations cannot both win), 3. put
   * the new lookup item bare with the carried counters, 4. refresh its view. Any interruption
   * leaves no valid key; one between 1 and 3 also loses the month's count (the next key starts
   * from 0).
   */
  async replaceMetrionKey(accountId: string, next: StoredMetrionKey): Promise<void> {
    // One replacement at a time per account: a concurrent one waits for it to finish and then
    // learns its key (MetrionKeyConflictError -> the caller reveals the current key), so two
    // simultaneous regenerations never hand out two keys of which only the later one works.
    if (!(await this.#takeKeyReplacementLease(accountId, next.digest))) {
      await this.#awaitKeyReplacementLease(accountId);
      throw new MetrionKeyConflictError();
    }
    try {
      await this.#replaceMetrionKeyUnderLease(accountId, next);
    } finally {
      await this.#releaseKeyReplacementLease(accountId, next.digest);
    }
  }

  async #replaceMetrionKeyUnderLease(accountId: string, next: StoredMetrionKey): Promise<void> {
    const profile = await this.#getProfile(accountId);
    if (profile === undefined) throw accountNotFound();
    const previousDigest = profile.metrionKeyDigest;

    const carried = await this.#deleteLookupIfOwned(previousDigest, accountId);

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

    if (!(await putBareLookup(this.#table, next.digest, accountId, carried))) {
      throw new MetrionKeyConflictError();
    }
    // A concurrent replacement that read this key as "previous" may have swapped the profile
    // before this lookup item landed: the profile decides (the refresh writes the view only to
    // the digest it names, so a stale lookup stays bare and never admits), and it is removed.
    const refreshed = await refreshProxyView(this.#table, accountId);
    if (refreshed?.metrionKeyDigest !== next.digest) {
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
    return toAccount(
      (await refreshProxyView(this.#table, accountId)) ?? (output.Attributes as ProfileItem),
    );
  }

  async putProviderKey(key: StoredProviderKey): Promise<void> {
    const item: ProviderKeyItem = {
      ...providerKeyKey(key.accountId, key.provider),
      ...toProviderKey(key),
    };
    await this.#put(item);
    await refreshProxyView(this.#table, key.accountId);
  }

  /** Consistent Query on `begins_with(sk, 'PROVIDER_KEY#')`; sort-key order is provider-id order. */
  listProviderKeys(accountId: string): Promise<StoredProviderKey[]> {
    return queryProviderKeys(this.#table, accountId);
  }

  /**
   * DeleteItem with ReturnValues ALL_OLD (true when an item was there), then the view is
   * refreshed even when there was none: a retry after a failed refresh completes the delete.
   */
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
    await refreshProxyView(this.#table, accountId);
    return output.Attributes !== undefined;
  }

  /** Takes the account's key-replacement lease (free, or left expired by a crashed holder). */
  async #takeKeyReplacementLease(accountId: string, token: string): Promise<boolean> {
    const nowMs = Date.now();
    const taken = await conditionalUpdate(this.#client, {
      TableName: this.#tableName,
      Key: profileKey(accountId),
      UpdateExpression: 'SET keyLeaseToken = :token, keyLeaseUntilMs = :until',
      ConditionExpression:
        'attribute_exists(pk) AND (attribute_not_exists(keyLeaseUntilMs) OR keyLeaseUntilMs < :now)',
      ExpressionAttributeValues: {
        ':token': token,
        ':until': nowMs + KEY_REPLACEMENT_LEASE_MS,
        ':now': nowMs,
      },
    });
    if (!taken && (await this.#getProfile(accountId)) === undefined) throw accountNotFound();
    return taken;
  }

  /** Waits until no live lease is held (released, or expired after a crash). */
  async #awaitKeyReplacementLease(accountId: string): Promise<void> {
    for (;;) {
      const profile = (await this.#getProfile(accountId)) as
        | (ProfileItem & { readonly keyLeaseUntilMs?: number })
        | undefined;
      const untilMs = profile?.keyLeaseUntilMs;
      if (untilMs === undefined || untilMs < Date.now()) return;
      await sleep(KEY_LEASE_POLL_MS);
    }
  }

  async #releaseKeyReplacementLease(accountId: string, token: string): Promise<void> {
    await conditionalUpdate(this.#client, {
      TableName: this.#tableName,
      Key: profileKey(accountId),
      UpdateExpression: 'REMOVE keyLeaseToken, keyLeaseUntilMs',
      ConditionExpression: 'keyLeaseToken = :token',
      ExpressionAttributeValues: { ':token': token },
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

  /**
   * Never deletes a lookup item that resolves to another account. Returns the window counters
   * and the budget ledger the deleted item held (read atomically with the delete), or none.
   */
  async #deleteLookupIfOwned(digest: string, accountId: string): Promise<Record<string, unknown>> {
    const attributes = await dynamoCall(
      'DeleteItem',
      async () =>
        (
          await this.#client.send(
            new DeleteCommand({
              TableName: this.#tableName,
              Key: lookupKey(digest),
              ConditionExpression: 'attribute_not_exists(pk) OR accountId = :accountId',
              ExpressionAttributeValues: { ':accountId': accountId },
              ReturnValues: 'ALL_OLD',
            }),
          )
        ).Attributes,
      () => undefined,
    );
    return attributes === undefined
      ? {}
      : { ...countersOf(attributes), ...budgetStateOf(attributes) };
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
}
