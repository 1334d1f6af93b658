// AccountEmailIndex on DynamoDB (the accounts table): PutItem (conditional), GetItem
// (consistent), DeleteItem (conditional). One item per address: pk=EMAIL#<address>, sk=CLAIM.
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { AccountEmailIndex, EmailClaim } from '#core/ports/account-email-index.ts';
import { conditionalDelete, conditionalPut } from './conditional-write.ts';
import { dynamoCall } from './dynamo-errors.ts';

export interface DynamoAccountEmailIndexOptions {
  readonly client: DynamoDBDocumentClient;
  /** Physical name of the `accounts` table. */
  readonly tableName: string;
}

const emailKey = (email: string) => ({ pk: `EMAIL#${email.trim().toLowerCase()}`, sk: 'CLAIM' });

/** {@link AccountEmailIndex} as claim items in the `accounts` table. */
export class DynamoAccountEmailIndex implements AccountEmailIndex {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoAccountEmailIndexOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async claimEmail(email: string, accountId: string, claimedAt: string): Promise<EmailClaim> {
    const claimed = await conditionalPut(this.#client, {
      TableName: this.#tableName,
      Item: { ...emailKey(email), accountId, claimedAt },
      ConditionExpression: 'attribute_not_exists(pk) OR accountId = :accountId',
      ExpressionAttributeValues: { ':accountId': accountId },
    });
    if (claimed) return { accountId, claimedAt };
    const holder = await this.findEmail(email);
    // Released between the two calls: claim again.
    return holder ?? this.claimEmail(email, accountId, claimedAt);
  }

  async findEmail(email: string): Promise<EmailClaim | undefined> {
    const output = await dynamoCall('GetItem', () =>
      this.#client.send(
        new GetCommand({ TableName: this.#tableName, Key: emailKey(email), ConsistentRead: true }),
      ),
    );
    const item = output.Item as { accountId?: string; claimedAt?: string } | undefined;
    return item?.accountId === undefined
      ? undefined
      : { accountId: item.accountId, claimedAt: item.claimedAt ?? '' };
  }

  releaseEmail(email: string, accountId: string): Promise<boolean> {
    return conditionalDelete(this.#client, {
      TableName: this.#tableName,
      Key: emailKey(email),
      ConditionExpression: 'accountId = :accountId',
      ExpressionAttributeValues: { ':accountId': accountId },
    });
  }
}
