// AlertDeliveryStore on DynamoDB (the `accounts` table): one item per delivery in the account's
// partition; pending ones also carry the keys of the sparse `activeAlertRules` index under their
// own shard, so the retry run finds what is due without a scan. PutItem and UpdateItem
// (conditional), Query.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AttemptResult } from '#core/alerts/channels/alert-channel.ts';
import {
  type AlertDelivery,
  DELIVERY_LOG_DAYS,
  type DeliveryKey,
} from '#core/alerts/channels/alert-delivery.ts';
import type { AlertNotice } from '#core/alerts/channels/alert-notice.ts';
import type { AlertDeliveryStore } from '#core/ports/alert-delivery-store.ts';
import type { Clock } from '#core/ports/clock.ts';
import { conditionalPut, conditionalUpdate, conditionalUpdateOutput } from './conditional-write.ts';
import { queryPages } from './query-pages.ts';
import { ACTIVE_ALERT_RULES_INDEX } from './table-definitions.ts';

const DELIVERY_PREFIX = 'ALERT_DELIVERY#';
/** The index shard of pending deliveries (active rules use `ACTIVE`). */
const DUE_SHARD = 'DELIVERY_DUE';

const deliveryKey = (key: DeliveryKey) => ({
  pk: `ACCOUNT#${key.accountId}`,
  sk: `${DELIVERY_PREFIX}${key.channelId}#${key.deliveryId}`,
});
/** Index sort key: due time first, so the earliest due come first. */
const dueKey = (dueMs: number, key: DeliveryKey) =>
  `${new Date(dueMs).toISOString()}#${key.accountId}#${key.channelId}#${key.deliveryId}`;

/**
 * `pk=ACCOUNT#<accountId>, sk=ALERT_DELIVERY#<channelId>#<deliveryId>`: `accountId`,
 * `channelId`, `deliveryId`, `to?`, `notice` (JSON text), `createdAt`, `deliveryStatus`,
 * `attempts`, `nextAttemptAt?`, `lastAttemptAt?`, `lastResult?` (map), `leaseToken?`,
 * `leaseUntilMs?`, `expiresAtEpochSeconds`; while pending also `activeShard=DELIVERY_DUE` and
 * `activeKey=<next attempt ISO>#<account>#<channel>#<delivery>`.
 */
type DeliveryItem = Record<string, unknown>;

function fromItem(item: DeliveryItem): AlertDelivery {
  const status = item.deliveryStatus;
  return {
    accountId: String(item.accountId),
    channelId: String(item.channelId),
    deliveryId: String(item.deliveryId),
    to: typeof item.to === 'string' ? item.to : undefined,
    notice: JSON.parse(String(item.notice)) as AlertNotice,
    createdAt: String(item.createdAt),
    status: status === 'delivered' || status === 'failed' ? status : 'pending',
    attempts: Number(item.attempts ?? 0),
    nextAttemptAt: typeof item.nextAttemptAt === 'string' ? item.nextAttemptAt : undefined,
    lastAttemptAt: typeof item.lastAttemptAt === 'string' ? item.lastAttemptAt : undefined,
    lastResult: item.lastResult as AttemptResult | undefined,
  };
}

export class DynamoAlertDeliveryStore implements AlertDeliveryStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #clock: Clock;

  constructor(options: {
    readonly client: DynamoDBDocumentClient;
    readonly tableName: string;
    /** Expired deliveries are skipped on read (TTL deletes them later, or never locally). */
    readonly clock: Clock;
  }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#clock = options.clock;
  }

  enqueue(delivery: AlertDelivery): Promise<boolean> {
    const createdMs = Date.parse(delivery.createdAt);
    return conditionalPut(this.#client, {
      TableName: this.#tableName,
      Item: {
        ...deliveryKey(delivery),
        accountId: delivery.accountId,
        channelId: delivery.channelId,
        deliveryId: delivery.deliveryId,
        to: delivery.to,
        notice: JSON.stringify(delivery.notice),
        createdAt: delivery.createdAt,
        deliveryStatus: 'pending',
        attempts: 0,
        nextAttemptAt: delivery.createdAt,
        activeShard: DUE_SHARD,
        activeKey: dueKey(createdMs, delivery),
        expiresAtEpochSeconds: Math.floor(createdMs / 1000) + DELIVERY_LOG_DAYS * 86_400,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  }

  async lease(
    key: DeliveryKey,
    options: { readonly nowMs: number; readonly leaseMs: number; readonly token: string },
  ): Promise<AlertDelivery | undefined> {
    const output = await conditionalUpdateOutput(this.#client, {
      TableName: this.#tableName,
      Key: deliveryKey(key),
      UpdateExpression: 'SET leaseToken = :token, leaseUntilMs = :until',
      ConditionExpression:
        'deliveryStatus = :pending AND nextAttemptAt <= :now AND (attribute_not_exists(leaseUntilMs) OR leaseUntilMs <= :nowMs)',
      ExpressionAttributeValues: {
        ':token': options.token,
        ':until': options.nowMs + options.leaseMs,
        ':pending': 'pending',
        ':now': new Date(options.nowMs).toISOString(),
        ':nowMs': options.nowMs,
      },
      ReturnValues: 'ALL_NEW',
    });
    return output?.Attributes === undefined ? undefined : fromItem(output.Attributes);
  }

  async settle(
    key: DeliveryKey,
    token: string,
    outcome: {
      readonly status: AlertDelivery['status'];
      readonly attemptAt: string;
      readonly result: AttemptResult;
      readonly nextAttemptMs?: number | undefined;
    },
  ): Promise<void> {
    const pending = outcome.status === 'pending' && outcome.nextAttemptMs !== undefined;
    await conditionalUpdate(this.#client, {
      TableName: this.#tableName,
      Key: deliveryKey(key),
      UpdateExpression: pending
        ? 'SET deliveryStatus = :status, lastAttemptAt = :at, lastResult = :result, nextAttemptAt = :next, activeKey = :due ADD attempts :one REMOVE leaseToken, leaseUntilMs'
        : 'SET deliveryStatus = :status, lastAttemptAt = :at, lastResult = :result ADD attempts :one REMOVE leaseToken, leaseUntilMs, nextAttemptAt, activeShard, activeKey',
      ConditionExpression: 'leaseToken = :token',
      ExpressionAttributeValues: {
        ':status': outcome.status,
        ':at': outcome.attemptAt,
        ':result': outcome.result,
        ':one': 1,
        ':token': token,
        ...(pending && outcome.nextAttemptMs !== undefined
          ? {
              ':next': new Date(outcome.nextAttemptMs).toISOString(),
              ':due': dueKey(outcome.nextAttemptMs, key),
            }
          : {}),
      },
    });
  }

  async listDue(nowMs: number, limit: number): Promise<DeliveryKey[]> {
    const keys: DeliveryKey[] = [];
    for await (const page of queryPages(this.#client, {
      TableName: this.#tableName,
      IndexName: ACTIVE_ALERT_RULES_INDEX,
      KeyConditionExpression: 'activeShard = :shard AND activeKey <= :now',
      // Every key of an instant `now` sorts before `now` followed by '~'.
      ExpressionAttributeValues: {
        ':shard': DUE_SHARD,
        ':now': `${new Date(nowMs).toISOString()}~`,
      },
      Limit: limit,
    })) {
      for (const item of page.Items ?? []) {
        keys.push({
          accountId: String(item.accountId),
          channelId: String(item.channelId),
          deliveryId: String(item.deliveryId),
        });
        if (keys.length >= limit) return keys;
      }
    }
    return keys;
  }

  async listForChannel(
    accountId: string,
    channelId: string,
    limit: number,
  ): Promise<AlertDelivery[]> {
    const nowSeconds = Math.floor(this.#clock.nowMs() / 1000);
    const deliveries: AlertDelivery[] = [];
    for await (const page of queryPages(this.#client, {
      TableName: this.#tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: {
        ':pk': `ACCOUNT#${accountId}`,
        ':prefix': `${DELIVERY_PREFIX}${channelId}#`,
      },
    })) {
      for (const item of page.Items ?? []) {
        if (Number(item.expiresAtEpochSeconds) > nowSeconds) deliveries.push(fromItem(item));
      }
    }
    return deliveries.sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, limit);
  }
}
