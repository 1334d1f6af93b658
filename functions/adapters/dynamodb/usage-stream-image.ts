// Usage aggregator input on DynamoDB Streams: a NEW_IMAGE (wire attribute values) to its record.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { StoredUsageRecord } from '#core/rollups/rollup.ts';
import { DOCUMENT_TRANSLATE_CONFIG } from './document-client.ts';
import { isUsageRecordKey, storedUsageRecordFromItem } from './dynamo-usage-store.ts';

/**
 * The usage record a stream image of the `usage` table holds, with its retention; undefined for
 * every other item kind sharing the table (rollups, dirty markers, error copies). Unmarshalled
 * with the document client's options and mapped by the usage store's own mapping, so a record
 * read from the stream is the record the store reads back (costPicoUsd exact beyond 2^53).
 */
export function usageRecordFromStreamImage(
  image: Readonly<Record<string, unknown>>,
): StoredUsageRecord | undefined {
  // A copy with the wrapper option pinned: lib-dynamodb sets `convertWithoutMapWrapper: true` on
  // the options object a document client was built with (it mutates the shared config), and
  // unmarshall would then read the image's attribute names as type tags.
  const item = unmarshall(image as Record<string, AttributeValue>, {
    ...DOCUMENT_TRANSLATE_CONFIG.unmarshallOptions,
    convertWithoutMapWrapper: false,
  });
  return isUsageRecordKey(item) ? storedUsageRecordFromItem(item) : undefined;
}
