// How big the usage record's DynamoDB item is: the real adapter maps the record (its PutItem is
// captured, nothing is sent), and the size follows DynamoDB's documented item-size rules, which
// decide the write capacity units a PutItem consumes (1 WCU per started KB).
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoUsageStore } from '#adapters/dynamodb/dynamo-usage-store.ts';
import { usageExpiryEpochSeconds } from '#core/billing/plans.ts';
import type { UsageRetention } from '#core/ports/usage-store.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** A Number: 1 byte per two significant digits, plus 1 (leading and trailing zeros are free). */
function numberSize(value: number | bigint): number {
  const digits = (typeof value === 'bigint' ? value.toString() : String(Math.abs(value)))
    .replace(/^-/, '')
    .replace(/e.*$/i, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

/**
 * The size DynamoDB counts for one attribute value: strings and binaries by their bytes,
 * numbers as above, booleans and null 1 byte, lists and maps 3 bytes plus 1 byte and the size
 * of each element (a map's element includes its name).
 */
export function attributeValueSize(value: unknown): number {
  if (typeof value === 'string') return utf8Bytes(value);
  if (typeof value === 'number' || typeof value === 'bigint') return numberSize(value);
  if (typeof value === 'boolean' || value === null) return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value)) {
    return 3 + value.reduce((sum: number, item: unknown) => sum + 1 + attributeValueSize(item), 0);
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value).filter(([, inner]) => inner !== undefined);
    return (
      3 +
      entries.reduce(
        (sum: number, [name, inner]) => sum + 1 + utf8Bytes(name) + attributeValueSize(inner),
        0,
      )
    );
  }
  throw new TypeError(`no DynamoDB type for ${typeof value}`);
}

/** An item's size: each attribute's name bytes plus its value's size; `undefined` is not written. */
export function dynamoItemSize(item: Readonly<Record<string, unknown>>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    size += utf8Bytes(name) + attributeValueSize(value);
  }
  return size;
}

/** The item as JSON text (bigints as digits): the figure the cost model started from. */
export function jsonItemSize(item: Readonly<Record<string, unknown>>): number {
  return utf8Bytes(
    JSON.stringify(item, (_name, value: unknown) =>
      typeof value === 'bigint' ? value.toString() : value,
    ),
  );
}

/** The item DynamoUsageStore.append would put for `record`. */
export async function usageItemOf(
  record: UsageRecord,
  retention: UsageRetention,
): Promise<Record<string, unknown>> {
  let item: Record<string, unknown> | undefined;
  const capturing = {
    async send(command: { input: { Item?: Record<string, unknown> } }) {
      item = command.input.Item;
      return {};
    },
  };
  await new DynamoUsageStore({
    client: capturing as unknown as DynamoDBDocumentClient,
    tableName: 'usage',
  }).append(record, retention);
  if (item === undefined) throw new Error('DynamoUsageStore.append sent no item');
  return item;
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
    dynamoBytes: meanAndMax(items.map(dynamoItemSize)),
    jsonBytes: meanAndMax(items.map(jsonItemSize)),
  };
}
