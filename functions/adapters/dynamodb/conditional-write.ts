// Conditional writes for the DynamoDB adapters: each resolves to whether the write landed.
import {
  DeleteCommand,
  type DeleteCommandInput,
  type DynamoDBDocumentClient,
  PutCommand,
  type PutCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
  type UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { dynamoCall } from './dynamo-errors.ts';

/** True when `write` landed, false when its ConditionExpression failed; other errors translated. */
async function landed(operation: string, write: () => Promise<unknown>): Promise<boolean> {
  return dynamoCall(
    operation,
    async () => {
      await write();
      return true;
    },
    () => false,
  );
}

/** UpdateItem; false when its ConditionExpression failed. */
export function conditionalUpdate(
  client: DynamoDBDocumentClient,
  input: UpdateCommandInput,
): Promise<boolean> {
  return landed('UpdateItem', () => client.send(new UpdateCommand(input)));
}

/** UpdateItem; its output (for `ReturnValues`), or undefined when its ConditionExpression failed. */
export function conditionalUpdateOutput(
  client: DynamoDBDocumentClient,
  input: UpdateCommandInput,
): Promise<UpdateCommandOutput | undefined> {
  return dynamoCall(
    'UpdateItem',
    () => client.send(new UpdateCommand(input)),
    () => undefined,
  );
}

/** PutItem; false when its ConditionExpression failed. */
export function conditionalPut(
  client: DynamoDBDocumentClient,
  input: PutCommandInput,
): Promise<boolean> {
  return landed('PutItem', () => client.send(new PutCommand(input)));
}

/** DeleteItem; false when its ConditionExpression failed. */
export function conditionalDelete(
  client: DynamoDBDocumentClient,
  input: DeleteCommandInput,
): Promise<boolean> {
  return landed('DeleteItem', () => client.send(new DeleteCommand(input)));
}
