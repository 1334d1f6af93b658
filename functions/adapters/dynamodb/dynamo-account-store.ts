// AccountStore on DynamoDB: GetItem (consistent), PutItem / UpdateItem / DeleteItem
// (conditional). No TransactWriteItems (dynalite has none): multi-item changes are ordered
// single-item writes that fail closed. Every write the proxy depends on refreshes the proxy's
// view on the Metrion Key lookup item before it returns (`proxy-view.ts`). The Metrion Key, the
// provider keys and the billing state (on the profile item) have stores of their own on the
// same table.
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Account, StoredMetrionKey } from '#core/accounts/account.ts';
import { AccountExistsError, MetrionKeyConflictError } from '#core/errors.ts';
import type { AccountStore } from '#core/ports/account-store.ts';
import {
  type Key,
  type ProfileItem,
  profileFields,
  profileKey,
  toAccount,
} from './account-items.ts';
import { type AccountsTable, accountNotFound, getProfile } from './accounts-table.ts';
import { conditionalDelete, conditionalUpdateOutput } from './conditional-write.ts';
import { dynamoCall } from './dynamo-errors.ts';
import { putBareLookup, refreshProxyView } from './proxy-view.ts';

export interface DynamoAccountStoreOptions {
  readonly client: DynamoDBDocumentClient;
  /** Physical name of the `accounts` table (see `tableName(prefix, 'accounts')`). */
  readonly tableName: string;
}

const PROFILE_FIELDS = ['displayName', 'currency', 'plan'] as const;

/** {@link AccountStore} on the `accounts` table (`pk`/`sk`); every access decision reads consistently. */
export class DynamoAccountStore implements AccountStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoAccountStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  get #table(): AccountsTable {
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
    const profile = await getProfile(this.#table, accountId);
    return profile === undefined ? undefined : toAccount(profile);
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
