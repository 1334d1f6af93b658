import {
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { dynamoCall } from './dynamo-errors.ts';

/**
 * One Query, page by page: each page's output as it arrives, following `LastEvaluatedKey` from
 * `input.ExclusiveStartKey` (if any) to the end. A caller that has enough stops iterating, and no
 * further page is read. Errors are translated by {@link dynamoCall}.
 */
export async function* queryPages(
  client: DynamoDBDocumentClient,
  input: QueryCommandInput,
): AsyncGenerator<QueryCommandOutput> {
  let startKey = input.ExclusiveStartKey;
  do {
    const output = await dynamoCall('Query', () =>
      client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey })),
    );
    yield output;
    startKey = output.LastEvaluatedKey;
  } while (startKey !== undefined);
}
