// AccountStore on DynamoDB: GetItem (consistent), PutItem / UpdateItem / DeleteItem
// (conditional). No TransactWriteItems (dynalite has none): multi-item changes are ordered
// single-item writes that fail closed. Billing state lives on the profile item; processed Stripe
// event ids are their own items. Every write the proxy depends on refreshes the proxy's view on
// the Metrion Key lookup item before it returns (`proxy-view.ts`). The Metrion Key and the
// provider keys have their own stores on the same table.
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Account, StoredMetrionKey } from '#core/accounts/account.ts';
import type { BillingState } from '#core/billing/billing-state.ts';
import type { Plan } from '#core/billing/plans.ts';
import { AccountExistsError, MetrionKeyConflictError } from '#core/errors.ts';
import type { AccountStore, BillingRecord } from '#core/ports/account-store.ts';
import {
  type Key,
  type ProfileItem,
  profileFields,
  profileKey,
  toAccount,
  toBilling,
} from './account-items.ts';
import { type AccountsTable, accountNotFound, getItem, getProfile } from './accounts-table.ts';
import {
  conditionalDelete,
  conditionalPut,
  conditionalUpdate,
  conditionalUpdateOutput,
} from './conditional-write.ts';
import { dynamoCall } from './dynamo-errors.ts';
import { putBareLookup, refreshProxyView } from './proxy-view.ts';

export interface DynamoAccountStoreOptions {
  readonly client: DynamoDBDocumentClient;
  /** Physical name of the `accounts` table (see `tableName(prefix, 'accounts')`). */
  readonly tableName: string;
}

/** `pk=STRIPE_EVENT#<id>, sk=PROCESSED`: a Stripe event already applied (expires by TTL). */
interface ProcessedEventItem extends Key {
  readonly expiresAtEpochSeconds: number;
}

const processedEventKey = (eventId: string): Key => ({
  pk: `STRIPE_EVENT#${eventId}`,
  sk: 'PROCESSED',
});

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

  async getBillingRecord(accountId: string): Promise<BillingRecord | undefined> {
    const profile = await getProfile(this.#table, accountId);
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
    if (set) {
      await refreshProxyView(this.#table, accountId);
      return customerId;
    }
    const stored = (await getProfile(this.#table, accountId))?.stripeCustomerId;
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
    if (saved) {
      await refreshProxyView(this.#table, accountId);
    } else if ((await getProfile(this.#table, accountId)) === undefined) {
      throw accountNotFound();
    }
    return saved;
  }

  /** Consistent GetItem; an expired item (TTL deletes lazily, dynalite never) counts as absent. */
  async isBillingEventProcessed(eventId: string, nowMs: number): Promise<boolean> {
    const item = await getItem<ProcessedEventItem>(this.#table, processedEventKey(eventId));
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
