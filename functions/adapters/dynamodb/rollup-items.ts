// The stored attributes of a rollup (usage rollups and tag rollups alike), keys aside: counts as
// Numbers (costPicoUsd with all its digits), histogram counts as `h<index>`, dimensions, expiry
// and the sealed state; and the live path's ADD of such an item.
import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { ProviderId } from '#core/providers/provider-registry.ts';
import type { Rollup } from '#core/rollups/rollup.ts';
import { usageKindOf } from '#core/usage/usage-record.ts';

type Item = Record<string, unknown>;

const COUNT_FIELDS = [
  'requests',
  'errors',
  // Absent on items written before it existed: read as 0 (see RollupCounts.metrionErrors).
  'metrionErrors',
  'inputTokens',
  'outputTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'unpricedRequests',
  'latencyMsSum',
  'timeToFirstTokenMsSum',
  'timeToFirstTokenCount',
  'streamedRequests',
  'cachedRequests',
  // Absent on items written before it existed: read as 0.
  'estimatedRequests',
  // Absent on items written before it existed: read as 0.
  'tierUnpricedRequests',
] as const;
const HISTOGRAM_ATTRIBUTE = /^h(\d+)$/;
/** Attributes a live write adds to (the rest of the stored form is SET). */
const ADDED_FIELDS: ReadonlySet<string> = new Set([...COUNT_FIELDS, 'costPicoUsd']);
/**
 * The stored attributes of a rollup, keys aside (usage and tag rollup items share them). A value
 * the rollup lacks is left out as a key, not set undefined: `liveAddInput` makes every key a clause.
 */
export function rollupAttributes(rollup: Rollup): Item {
  const item: Item = {
    accountId: rollup.accountId,
    granularity: rollup.granularity,
    bucketStart: rollup.bucketStart,
    provider: rollup.provider,
    model: rollup.model,
    ...(rollup.requester === null ? {} : { requester: rollup.requester }),
    status: rollup.status,
    kind: rollup.kind,
    costPicoUsd: rollup.costPicoUsd,
    expiresAtEpochSeconds: rollup.expiresAtEpochSeconds,
    sealed: rollup.sealed,
    ...(rollup.earliestExpiresAtEpochSeconds === undefined
      ? {}
      : { earliestExpiresAtEpochSeconds: rollup.earliestExpiresAtEpochSeconds }),
  };
  for (const field of COUNT_FIELDS) item[field] = rollup[field];
  for (const [index, count] of rollup.latencyHistogram) item[`h${index}`] = count;
  return item;
}

/**
 * The live path's UpdateItem of a stored rollup form: ADD every count, `costPicoUsd` and each
 * histogram bucket `h<i>`; SET every other attribute (keys and the sealed-only earliest expiry
 * aside), `sealed` included as the item says. Derived from the stored form, so a new dimension
 * is SET without a change here.
 */
export function liveAddInput(tableName: string, stored: Item): UpdateCommandInput {
  const { pk, sk, earliestExpiresAtEpochSeconds: _sealedOnly, ...item } = stored;
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const adds: string[] = [];
  const sets: string[] = [];
  Object.entries(item).forEach(([attribute, value], index) => {
    names[`#a${index}`] = attribute;
    values[`:a${index}`] = value;
    const added = ADDED_FIELDS.has(attribute) || HISTOGRAM_ATTRIBUTE.test(attribute);
    (added ? adds : sets).push(added ? `#a${index} :a${index}` : `#a${index} = :a${index}`);
  });
  return {
    TableName: tableName,
    Key: { pk, sk },
    UpdateExpression: `ADD ${adds.join(', ')} SET ${sets.join(', ')}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

function numberOf(value: unknown): number {
  return typeof value === 'number' ? value : Number(value ?? 0);
}

/** The rollup a stored item holds (the tag rollup store reads its items with it too). */
export function rollupFromItem(item: Item): Rollup {
  const histogram = new Map<number, number>();
  for (const [name, value] of Object.entries(item)) {
    const index = HISTOGRAM_ATTRIBUTE.exec(name)?.[1];
    if (index !== undefined) histogram.set(Number(index), numberOf(value));
  }
  const counts = Object.fromEntries(COUNT_FIELDS.map((field) => [field, numberOf(item[field])]));
  return {
    accountId: String(item.accountId),
    granularity: item.granularity === 'day' ? 'day' : 'hour',
    bucketStart: String(item.bucketStart),
    provider: String(item.provider) as ProviderId,
    model: String(item.model),
    requester: typeof item.requester === 'string' ? item.requester : null,
    status: numberOf(item.status),
    // Items written before kinds existed have none: they count chat completions only.
    kind: usageKindOf(item.kind),
    ...(counts as Record<(typeof COUNT_FIELDS)[number], number>),
    // Safe integers unmarshall as number, larger ones as bigint: BigInt() is exact for both.
    costPicoUsd: BigInt((item.costPicoUsd as bigint | number | undefined) ?? 0),
    latencyHistogram: histogram,
    expiresAtEpochSeconds: numberOf(item.expiresAtEpochSeconds),
    sealed: item.sealed === true,
    // A live ADD after a seal sets `sealed = false` and leaves this stale: only sealed items keep it.
    earliestExpiresAtEpochSeconds:
      item.sealed === true && item.earliestExpiresAtEpochSeconds !== undefined
        ? numberOf(item.earliestExpiresAtEpochSeconds)
        : undefined,
  };
}
