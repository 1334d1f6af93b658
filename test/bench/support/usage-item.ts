// How big the usage record's DynamoDB item is: the real adapter maps the record and the real SDK
// client marshals it (a middleware captures the marshalled item and answers before anything is
// sent), and scripts/cost/item-size.ts sizes it by DynamoDB's item-size rules, which decide the
// write units a PutItem consumes (1 per started KB). One size rule for the benches and the model.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClientFrom } from '#adapters/dynamodb/document-client.ts';
import { DynamoUsageStore } from '#adapters/dynamodb/dynamo-usage-store.ts';
import { usageExpiryEpochSeconds } from '#core/billing/plans.ts';
import type { UsageRetention } from '#core/ports/usage-store.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { type AttributeValue, itemSizeBytes } from '../../../scripts/cost/item-size.ts';

type MarshalledItem = Readonly<Record<string, AttributeValue>>;

/** The item as JSON text (bigints as digits): the figure the cost model started from. */
export function jsonItemSize(item: Readonly<Record<string, unknown>>): number {
  return Buffer.byteLength(
    JSON.stringify(item, (_name, value: unknown) =>
      typeof value === 'bigint' ? value.toString() : value,
    ),
    'utf8',
  );
}

/** The item DynamoUsageStore.append would put for `record`: as the store built it, and marshalled. */
export async function usageItemOf(
  record: UsageRecord,
  retention: UsageRetention,
): Promise<{ document: Record<string, unknown>; marshalled: MarshalledItem }> {
  let document: Record<string, unknown> | undefined;
  let marshalled: MarshalledItem | undefined;
  const lowLevel = new DynamoDBClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'none', secretAccessKey: 'none' },
  });
  // After the document client's marshalling (initialize step), before any signing or sending.
  lowLevel.middlewareStack.add(
    () => async (args) => {
      marshalled = (args.input as { Item?: MarshalledItem }).Item;
      return { output: { $metadata: {} }, response: {} };
    },
    { step: 'build', name: 'captureMarshalledItem' },
  );
  const real = documentClientFrom(lowLevel);
  const capturing = {
    send(command: { input: { Item?: Record<string, unknown> } }) {
      document = command.input.Item;
      return real.send(command as never);
    },
  };
  await new DynamoUsageStore({
    client: capturing as unknown as DynamoDBDocumentClient,
    tableName: 'usage',
  }).append(record, retention);
  lowLevel.destroy();
  if (document === undefined || marshalled === undefined) {
    throw new Error('DynamoUsageStore.append sent no item');
  }
  return { document, marshalled };
}

/** Mean and largest item of some records, in DynamoDB's size and as JSON. */
export interface UsageItemSizes {
  readonly records: number;
  /** DynamoDB's item size (what write capacity is charged on). */
  readonly dynamoBytes: { readonly mean: number; readonly max: number };
  readonly jsonBytes: { readonly mean: number; readonly max: number };
}

const meanAndMax = (values: readonly number[]) => ({
  mean: values.reduce((sum, value) => sum + value, 0) / values.length,
  max: Math.max(...values),
});

/** The items DynamoUsageStore would put for `records` (Free-plan retention), measured. */
export async function usageItemSizes(records: readonly UsageRecord[]): Promise<UsageItemSizes> {
  const items = await Promise.all(
    records.map((record) =>
      usageItemOf(record, {
        expiresAtEpochSeconds: usageExpiryEpochSeconds('free', Date.parse(record.at)),
      }),
    ),
  );
  return {
    records: records.length,
    dynamoBytes: meanAndMax(items.map((item) => itemSizeBytes(item.marshalled))),
    jsonBytes: meanAndMax(items.map((item) => jsonItemSize(item.document))),
  };
}
