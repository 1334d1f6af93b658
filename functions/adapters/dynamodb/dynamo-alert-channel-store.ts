// AlertChannelStore on DynamoDB (the `accounts` table): one item per channel in the account's
// partition. GetItem, PutItem, UpdateItem and DeleteItem (conditional), Query.
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { AlertChannel, LastDelivery } from '#core/alerts/channels/alert-channel.ts';
import type { AlertChannelStore } from '#core/ports/alert-channel-store.ts';
import type { SealedSecret } from '#core/vault/sealed-secret.ts';
import {
  conditionalDelete,
  conditionalPut,
  conditionalUpdate,
  conditionalUpdateOutput,
} from './conditional-write.ts';
import { dynamoCall } from './dynamo-errors.ts';
import { queryPages } from './query-pages.ts';

const CHANNEL_PREFIX = 'ALERT_CHANNEL#';

const channelKey = (accountId: string, channelId: string) => ({
  pk: `ACCOUNT#${accountId}`,
  sk: `${CHANNEL_PREFIX}${channelId}`,
});

/**
 * `pk=ACCOUNT#<accountId>, sk=ALERT_CHANNEL#<channelId>`: `channelKind`, `channelName`,
 * `displayUrl`, `url?` (webhook), `sealed` (map: the sealed secret), `createdAt`,
 * `lastDelivery?` (map).
 */
type ChannelItem = Record<string, unknown>;

function fromItem(item: ChannelItem): AlertChannel {
  return {
    accountId: String(item.accountId),
    channelId: String(item.channelId),
    kind: item.channelKind === 'slack' ? 'slack' : 'webhook',
    name: String(item.channelName),
    displayUrl: String(item.displayUrl),
    sealed: item.sealed as SealedSecret,
    url: typeof item.url === 'string' ? item.url : undefined,
    createdAt: String(item.createdAt),
    lastDelivery: item.lastDelivery as LastDelivery | undefined,
  };
}

export class DynamoAlertChannelStore implements AlertChannelStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: { readonly client: DynamoDBDocumentClient; readonly tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async list(accountId: string): Promise<AlertChannel[]> {
    const channels: AlertChannel[] = [];
    for await (const page of queryPages(this.#client, {
      TableName: this.#tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':prefix': CHANNEL_PREFIX },
      ConsistentRead: true,
    })) {
      channels.push(...(page.Items ?? []).map(fromItem));
    }
    return channels.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async get(accountId: string, channelId: string): Promise<AlertChannel | undefined> {
    const output = await dynamoCall('GetItem', () =>
      this.#client.send(
        new GetCommand({
          TableName: this.#tableName,
          Key: channelKey(accountId, channelId),
          ConsistentRead: true,
        }),
      ),
    );
    return output.Item === undefined ? undefined : fromItem(output.Item);
  }

  async create(channel: AlertChannel): Promise<void> {
    const landed = await conditionalPut(this.#client, {
      TableName: this.#tableName,
      Item: {
        ...channelKey(channel.accountId, channel.channelId),
        accountId: channel.accountId,
        channelId: channel.channelId,
        channelKind: channel.kind,
        channelName: channel.name,
        displayUrl: channel.displayUrl,
        sealed: channel.sealed,
        url: channel.url,
        createdAt: channel.createdAt,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    if (!landed) throw new Error(`Alert channel id ${channel.channelId} is taken`);
  }

  async rename(
    accountId: string,
    channelId: string,
    name: string,
  ): Promise<AlertChannel | undefined> {
    const output = await conditionalUpdateOutput(this.#client, {
      TableName: this.#tableName,
      Key: channelKey(accountId, channelId),
      UpdateExpression: 'SET channelName = :name',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':name': name },
      ReturnValues: 'ALL_NEW',
    });
    return output?.Attributes === undefined ? undefined : fromItem(output.Attributes);
  }

  delete(accountId: string, channelId: string): Promise<boolean> {
    return conditionalDelete(this.#client, {
      TableName: this.#tableName,
      Key: channelKey(accountId, channelId),
      ConditionExpression: 'attribute_exists(pk)',
    });
  }

  async recordLastDelivery(
    accountId: string,
    channelId: string,
    last: LastDelivery,
  ): Promise<void> {
    await conditionalUpdate(this.#client, {
      TableName: this.#tableName,
      Key: channelKey(accountId, channelId),
      UpdateExpression: 'SET lastDelivery = :last, lastDeliveryAt = :at',
      ConditionExpression:
        'attribute_exists(pk) AND (attribute_not_exists(lastDeliveryAt) OR lastDeliveryAt <= :at)',
      ExpressionAttributeValues: { ':last': last, ':at': last.at },
    });
  }
}
