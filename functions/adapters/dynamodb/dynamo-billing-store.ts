// BillingStore on the `accounts` table: GetItem (consistent), UpdateItem / PutItem
// (conditional). Billing state lives on the profile item (the item the proxy's view is built
// from, refreshed after every write that can change the plan); processed Stripe event ids are
// their own items.
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { BillingState } from '#core/billing/billing-state.ts';
import type { Plan } from '#core/billing/plans.ts';
import { NotFoundError } from '#core/errors.ts';
import type { BillingRecord, BillingStore } from '#core/ports/billing-store.ts';
import {
  type Key,
  LEGACY_BILLING_ATTRIBUTES,
  type ProfileItem,
  profileKey,
  toBilling,
} from './account-items.ts';
import { conditionalPut, conditionalUpdate } from './conditional-write.ts';
import { dynamoCall } from './dynamo-errors.ts';
import { refreshProxyView } from './proxy-view.ts';

export interface DynamoBillingStoreOptions {
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

function accountNotFound(): NotFoundError {
  return new NotFoundError('This account does not exist.');
}

/** {@link BillingStore} on the `accounts` table (`pk`/`sk`), beside `DynamoAccountStore`. */
export class DynamoBillingStore implements BillingStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoBillingStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  get #table() {
    return { client: this.#client, tableName: this.#tableName };
  }

  async getBillingRecord(accountId: string): Promise<BillingRecord | undefined> {
    const profile = await this.#get<ProfileItem>(profileKey(accountId));
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
    const stored = (await this.#get<ProfileItem>(profileKey(accountId)))?.stripeCustomerId;
    if (stored === undefined) throw accountNotFound();
    return stored;
  }

  /**
   * UpdateItem of the subscriptions, `plan` and `billingVersion`, conditional on the version
   * read before; the attributes of the single-subscription layout are removed on the way.
   */
  async saveBillingState(
    accountId: string,
    next: { readonly billing: BillingState; readonly plan: Plan },
    expectedVersion: number,
  ): Promise<boolean> {
    const subscriptions = next.billing.subscriptions ?? {};
    const hasSubscriptions = Object.keys(subscriptions).length > 0;
    const set = [
      '#plan = :plan',
      'billingVersion = :nextVersion',
      ...(hasSubscriptions ? ['billingSubscriptions = :subscriptions'] : []),
    ];
    const remove = [
      ...LEGACY_BILLING_ATTRIBUTES,
      ...(hasSubscriptions ? [] : ['billingSubscriptions']),
    ];
    const versionMatches =
      expectedVersion === 0
        ? '(attribute_not_exists(billingVersion) OR billingVersion = :expectedVersion)'
        : 'billingVersion = :expectedVersion';
    const saved = await conditionalUpdate(this.#client, {
      TableName: this.#tableName,
      Key: profileKey(accountId),
      UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
      ConditionExpression: `attribute_exists(pk) AND ${versionMatches}`,
      ExpressionAttributeNames: { '#plan': 'plan' },
      ExpressionAttributeValues: {
        ':plan': next.plan,
        ':nextVersion': expectedVersion + 1,
        ':expectedVersion': expectedVersion,
        ...(hasSubscriptions ? { ':subscriptions': subscriptions } : {}),
      },
    });
    if (saved) {
      await refreshProxyView(this.#table, accountId);
    } else if ((await this.#get<ProfileItem>(profileKey(accountId))) === undefined) {
      throw accountNotFound();
    }
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

  async #get<T>(key: Key): Promise<T | undefined> {
    const output = await dynamoCall('GetItem', () =>
      this.#client.send(
        new GetCommand({ TableName: this.#tableName, Key: key, ConsistentRead: true }),
      ),
    );
    return output.Item as T | undefined;
  }
}
