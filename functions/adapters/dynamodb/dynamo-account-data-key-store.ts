// AccountDataKeyStore on DynamoDB (the accounts table): GetItem (consistent), PutItem
// (conditional). One item per account: pk=ACCOUNT#<id>, sk=DATA_KEY, the wrapped key in base64.
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { AccountDataKeyStore } from '#core/ports/account-data-key-store.ts';
import { accountPk } from './account-items.ts';
import { conditionalPut } from './conditional-write.ts';
import { dynamoCall } from './dynamo-errors.ts';

export interface DynamoAccountDataKeyStoreOptions {
  readonly client: DynamoDBDocumentClient;
  /** Physical name of the `accounts` table. */
  readonly tableName: string;
}

const dataKeyKey = (accountId: string) => ({ pk: accountPk(accountId), sk: 'DATA_KEY' });

/** {@link AccountDataKeyStore} as one item per account in the `accounts` table. */
export class DynamoAccountDataKeyStore implements AccountDataKeyStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoAccountDataKeyStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async getAccountDataKey(accountId: string): Promise<string | undefined> {
    const output = await dynamoCall('GetItem', () =>
      this.#client.send(
        new GetCommand({
          TableName: this.#tableName,
          Key: dataKeyKey(accountId),
          ConsistentRead: true,
        }),
      ),
    );
    const encrypted = (output.Item as { encryptedDataKey?: unknown } | undefined)?.encryptedDataKey;
    return typeof encrypted === 'string' ? encrypted : undefined;
  }

  async putAccountDataKeyIfAbsent(accountId: string, encryptedDataKey: string): Promise<string> {
    const stored = await conditionalPut(this.#client, {
      TableName: this.#tableName,
      Item: { ...dataKeyKey(accountId), encryptedDataKey },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    if (stored) return encryptedDataKey;
    const existing = await this.getAccountDataKey(accountId);
    if (existing === undefined) throw new Error('The account data key vanished after a write');
    return existing;
  }
}
