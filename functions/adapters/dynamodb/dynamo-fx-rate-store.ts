// FxRateStore on DynamoDB (the `fxRates` table): PutItem per date, Query newest first (Limit 1).
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { FxQuote } from '#core/currency/fx.ts';
import type { FxRateStore } from '#core/ports/fx-rate-store.ts';
import { dynamoCall } from './dynamo-errors.ts';

/** `pk=ECB, sk=<YYYY-MM-DD>`: the day's USD and CHF per EUR as quoted (decimal strings). */
const PARTITION = 'ECB';

/** {@link FxRateStore} on the `fxRates` table. */
export class DynamoFxRateStore implements FxRateStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async put(quote: FxQuote): Promise<void> {
    await dynamoCall('PutItem', () =>
      this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            pk: PARTITION,
            sk: quote.date,
            usdPerEur: quote.usdPerEur,
            chfPerEur: quote.chfPerEur,
          },
        }),
      ),
    );
  }

  async latest(): Promise<FxQuote | undefined> {
    const output = await dynamoCall('Query', () =>
      this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': PARTITION },
          ScanIndexForward: false,
          Limit: 1,
        }),
      ),
    );
    const item = output.Items?.[0];
    if (item === undefined) return undefined;
    return {
      date: String(item.sk),
      usdPerEur: String(item.usdPerEur),
      chfPerEur: String(item.chfPerEur),
      source: 'ecb',
    };
  }
}
