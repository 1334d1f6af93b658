import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

type Item = Record<string, unknown>;
type PutRequests = Record<string, { PutRequest: { Item: Item } }[]>;

/**
 * Seeds one table fast: items pushed to `pending` are written by `flush` with BatchWriteItem,
 * 25 per call and 8 calls at a time, retrying what DynamoDB leaves unprocessed. `flush(false)`
 * writes whole rounds of 200 only (call it as you go); `flush(true)` writes the rest.
 */
export function batchSeeder(client: DynamoDBDocumentClient, tableName: string) {
  const pending: Item[] = [];
  async function write(batch: Item[]): Promise<void> {
    let requestItems: PutRequests = {
      [tableName]: batch.map((Item) => ({ PutRequest: { Item } })),
    };
    while (Object.keys(requestItems).length > 0) {
      const output = await client.send(new BatchWriteCommand({ RequestItems: requestItems }));
      requestItems = (output.UnprocessedItems ?? {}) as PutRequests;
    }
  }
  async function flush(force: boolean): Promise<void> {
    while (pending.length >= 200 || (force && pending.length > 0)) {
      const chunk = pending.splice(0, 200);
      const batches: Item[][] = [];
      for (let i = 0; i < chunk.length; i += 25) batches.push(chunk.slice(i, i + 25));
      await Promise.all(batches.map(write));
    }
  }
  return { pending, flush };
}
