import { createHash } from 'node:crypto';
import type { ProviderId } from '../providers/provider-registry.ts';
import { type UsageKind, type UsageRecord, usageKindOf } from '../usage/usage-record.ts';
import { bucketIso, bucketStartMs, type Granularity } from './buckets.ts';
import { histogramOf, type LatencyHistogram, mergeHistograms } from './latency-histogram.ts';

/** What a rollup item is grouped by. Unique requesters per bucket are the distinct `requester`s. */
export interface RollupDimensions {
  readonly provider: ProviderId;
  readonly model: string;
  /** Null for requests without `x-metrion-user`. */
  readonly requester: string | null;
  /** The exact HTTP status; the class (2xx/4xx/5xx) derives from it. */
  readonly status: number;
  /**
   * Chat, Responses API or embeddings. Items and records written before kinds existed have
   * none: they are chat (every record before issue 14 was a chat completion).
   */
  readonly kind: UsageKind;
}

/** Additive counts: every field merges by addition, so items of any grouping sum exactly. */
export interface RollupCounts {
  readonly requests: number;
  /** Requests with status >= 400. */
  readonly errors: number;
  /**
   * The part of `errors` Metrion produced itself (`errorSource: 'metrion'`: its own 429, 502,
   * 504…); the rest came from the provider ({@link providerErrorsOf}). Stored this way round so
   * that items written before this count existed (attribute absent, read as 0) and items that
   * got live ADDs across that change read as provider errors, as they did: never fewer.
   */
  readonly metrionErrors: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens: number;
  readonly cacheWriteTokens: number;
  /** Exact sum over priced requests (10^-12 USD). */
  readonly costPicoUsd: bigint;
  /** Requests whose model has no price (not included in the cost). */
  readonly unpricedRequests: number;
  /**
   * Requests priced at the standard rate because the price data has no price for the service
   * tier that served them (`tierUnpriced`). Absent on items written before it: read as 0.
   */
  readonly tierUnpricedRequests: number;
  readonly latencyMsSum: number;
  readonly latencyHistogram: LatencyHistogram;
  readonly timeToFirstTokenMsSum: number;
  readonly timeToFirstTokenCount: number;
  readonly streamedRequests: number;
  readonly cachedRequests: number;
  /**
   * Requests whose tokens Metrion counted itself because the client left the stream before the
   * provider reported usage (`estimated: true`). Absent on items written before it: read as 0.
   */
  readonly estimatedRequests: number;
}

/** One rollup item: an account's counts for one bucket and one dimension combination. */
export interface Rollup extends RollupDimensions, RollupCounts {
  readonly accountId: string;
  readonly granularity: Granularity;
  /** ISO UTC start of the hour or day. */
  readonly bucketStart: string;
  /** Retention by plan: the item may be deleted then; readers skip it. */
  readonly expiresAtEpochSeconds: number;
  /** True when recomputed from the raw records by the seal job (exact). */
  readonly sealed: boolean;
  /**
   * Sealed items only: the earliest expiry among its records. While it is in the future, every
   * record the item counts is still readable, so the item can stand in for them (Logs totals).
   */
  readonly earliestExpiresAtEpochSeconds?: number | undefined;
}

/** Counts of nothing: the identity of {@link addCounts}. */
export const EMPTY_COUNTS: RollupCounts = {
  requests: 0,
  errors: 0,
  metrionErrors: 0,
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  costPicoUsd: 0n,
  unpricedRequests: 0,
  tierUnpricedRequests: 0,
  latencyMsSum: 0,
  latencyHistogram: new Map(),
  timeToFirstTokenMsSum: 0,
  timeToFirstTokenCount: 0,
  streamedRequests: 0,
  cachedRequests: 0,
  estimatedRequests: 0,
};

/** Whether a status counts as an error. */
export function isErrorStatus(status: number): boolean {
  return status >= 400;
}

/** Whether a record is an error Metrion produced (not one the provider returned). */
export function isMetrionError(record: Pick<UsageRecord, 'status' | 'errorSource'>): boolean {
  return isErrorStatus(record.status) && record.errorSource === 'metrion';
}

/**
 * Errors the provider returned: every error but Metrion's own. An error recorded without a
 * source counts as the provider's (the proxy sets one on every error it records).
 */
export function providerErrorsOf(counts: Pick<RollupCounts, 'errors' | 'metrionErrors'>): number {
  return counts.errors - counts.metrionErrors;
}

/** The counts one usage record contributes. */
export function countsOf(record: UsageRecord): RollupCounts {
  return {
    requests: 1,
    errors: isErrorStatus(record.status) ? 1 : 0,
    metrionErrors: isMetrionError(record) ? 1 : 0,
    inputTokens: record.inputTokens,
    outputTokens: record.outputTokens,
    cacheReadTokens: record.cacheReadTokens,
    cacheWriteTokens: record.cacheWriteTokens,
    costPicoUsd: record.costPicoUsd ?? 0n,
    unpricedRequests: record.costPicoUsd === null ? 1 : 0,
    tierUnpricedRequests: record.tierUnpriced === true ? 1 : 0,
    latencyMsSum: record.latencyMs,
    latencyHistogram: histogramOf(record.latencyMs),
    timeToFirstTokenMsSum: record.timeToFirstTokenMs ?? 0,
    timeToFirstTokenCount: record.timeToFirstTokenMs === undefined ? 0 : 1,
    streamedRequests: record.streamed ? 1 : 0,
    cachedRequests: record.cached ? 1 : 0,
    estimatedRequests: record.estimated === true ? 1 : 0,
  };
}

/** Field-wise sum (bigint for cost, histograms merged). */
export function addCounts(a: RollupCounts, b: RollupCounts): RollupCounts {
  return {
    requests: a.requests + b.requests,
    errors: a.errors + b.errors,
    metrionErrors: a.metrionErrors + b.metrionErrors,
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
    costPicoUsd: a.costPicoUsd + b.costPicoUsd,
    unpricedRequests: a.unpricedRequests + b.unpricedRequests,
    tierUnpricedRequests: a.tierUnpricedRequests + b.tierUnpricedRequests,
    latencyMsSum: a.latencyMsSum + b.latencyMsSum,
    latencyHistogram: mergeHistograms(a.latencyHistogram, b.latencyHistogram),
    timeToFirstTokenMsSum: a.timeToFirstTokenMsSum + b.timeToFirstTokenMsSum,
    timeToFirstTokenCount: a.timeToFirstTokenCount + b.timeToFirstTokenCount,
    streamedRequests: a.streamedRequests + b.streamedRequests,
    cachedRequests: a.cachedRequests + b.cachedRequests,
    estimatedRequests: a.estimatedRequests + b.estimatedRequests,
  };
}

/** Every count but the latency histogram: all that sums, averages and money need. */
export type RollupTotals = Omit<RollupCounts, 'latencyHistogram'>;

/**
 * The field-wise sum of many items' totals (as {@link addCounts} gives them), added in place: no
 * allocation per item and no histogram merge, for folds over thousands of items. Percentiles
 * merge the histograms on their own (`mergeAllHistograms`).
 */
export function sumTotals(items: Iterable<RollupTotals>): RollupTotals {
  const { latencyHistogram: _notSummed, ...sum } = EMPTY_COUNTS;
  for (const item of items) {
    sum.requests += item.requests;
    sum.errors += item.errors;
    sum.metrionErrors += item.metrionErrors;
    sum.inputTokens += item.inputTokens;
    sum.outputTokens += item.outputTokens;
    sum.cacheReadTokens += item.cacheReadTokens;
    sum.cacheWriteTokens += item.cacheWriteTokens;
    sum.costPicoUsd += item.costPicoUsd;
    sum.unpricedRequests += item.unpricedRequests;
    sum.tierUnpricedRequests += item.tierUnpricedRequests;
    sum.latencyMsSum += item.latencyMsSum;
    sum.timeToFirstTokenMsSum += item.timeToFirstTokenMsSum;
    sum.timeToFirstTokenCount += item.timeToFirstTokenCount;
    sum.streamedRequests += item.streamedRequests;
    sum.cachedRequests += item.cachedRequests;
    sum.estimatedRequests += item.estimatedRequests;
  }
  return sum;
}

/** The counts part of a rollup (drops keys and dimensions). */
export function countsPart(rollup: RollupCounts): RollupCounts {
  return addCounts(EMPTY_COUNTS, rollup);
}

/**
 * A stable key for a dimension combination (components URI-encoded, so `|` never collides).
 * Chat keeps the four-part key it had before kinds existed, so live ADDs after a deploy land on
 * the items of the same hour written before it; other kinds add a fifth part (a four-part and a
 * five-part key never collide, as `|` is encoded inside a part).
 */
export function dimensionKey(dimensions: RollupDimensions): string {
  return [
    dimensions.provider,
    dimensions.model,
    dimensions.requester ?? '',
    String(dimensions.status),
    ...(dimensions.kind === 'chat' ? [] : [dimensions.kind]),
  ]
    .map(keyPart)
    .join('|');
}

/**
 * Longest encoded part kept readable. Only model and requester are free text: two such parts
 * plus the short provider, status and kind stay far below a sort key's 1,024 bytes.
 */
const MAX_KEY_PART_LENGTH = 200;

/**
 * One dimension, URI-encoded; one longer than {@link MAX_KEY_PART_LENGTH} becomes `$` + its
 * SHA-256 (`$` never appears in an encoded part, so the two forms cannot collide). The item keeps
 * the readable value in its own attribute.
 */
export function keyPart(value: string): string {
  const encoded = encodeURIComponent(value.toWellFormed());
  return encoded.length <= MAX_KEY_PART_LENGTH
    ? encoded
    : `$${createHash('sha256').update(value.toWellFormed()).digest('hex')}`;
}

/** A record together with its retention, as the seal job reads it from the raw log. */
export interface StoredUsageRecord {
  readonly record: UsageRecord;
  readonly expiresAtEpochSeconds: number;
}

/** The rollup dimensions of a record (the one place that maps one to the other). */
export function dimensionsOf(record: UsageRecord): RollupDimensions {
  return {
    provider: record.provider,
    model: record.model,
    requester: record.requester ?? null,
    status: record.status,
    kind: usageKindOf(record.kind),
  };
}

/** The earlier of two optional expiries; undefined when either is unknown. */
function earliestOf(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : Math.min(a, b);
}

/**
 * Groups records into rollups of one granularity: one per bucket x dimension combination, the
 * expiry being the latest of its records' (retention follows the plan at write time); sealed
 * items also keep the earliest.
 */
export function rollupsFromRecords(
  records: Iterable<StoredUsageRecord>,
  granularity: Granularity,
  sealed: boolean,
): Rollup[] {
  const groups = new Map<string, Rollup>();
  for (const { record, expiresAtEpochSeconds } of records) {
    const bucketStart = bucketIso(bucketStartMs(Date.parse(record.at), granularity));
    const dimensions = dimensionsOf(record);
    const key = `${bucketStart}#${dimensionKey(dimensions)}`;
    const previous = groups.get(key);
    const earliest = Math.min(
      previous?.earliestExpiresAtEpochSeconds ?? expiresAtEpochSeconds,
      expiresAtEpochSeconds,
    );
    groups.set(key, {
      accountId: record.accountId,
      granularity,
      bucketStart,
      ...dimensions,
      ...addCounts(previous ?? EMPTY_COUNTS, countsOf(record)),
      expiresAtEpochSeconds: Math.max(previous?.expiresAtEpochSeconds ?? 0, expiresAtEpochSeconds),
      sealed,
      earliestExpiresAtEpochSeconds: sealed ? earliest : undefined,
    });
  }
  return [...groups.values()];
}

/**
 * Re-groups rollups into another granularity (hours into their day), summing counts per
 * dimension combination.
 */
export function regroupRollups(
  rollups: Iterable<Rollup>,
  granularity: Granularity,
  sealed: boolean,
): Rollup[] {
  const groups = new Map<string, Rollup>();
  for (const rollup of rollups) {
    const bucketStart = bucketIso(bucketStartMs(Date.parse(rollup.bucketStart), granularity));
    const key = `${bucketStart}#${dimensionKey(rollup)}`;
    const previous = groups.get(key);
    const { earliestExpiresAtEpochSeconds: _dropped, ...rest } = rollup;
    const earliest = earliestOf(
      previous === undefined
        ? rollup.earliestExpiresAtEpochSeconds
        : previous.earliestExpiresAtEpochSeconds,
      rollup.earliestExpiresAtEpochSeconds,
    );
    groups.set(key, {
      ...rest,
      granularity,
      bucketStart,
      ...addCounts(previous ?? EMPTY_COUNTS, rollup),
      expiresAtEpochSeconds: Math.max(
        previous?.expiresAtEpochSeconds ?? 0,
        rollup.expiresAtEpochSeconds,
      ),
      sealed,
      earliestExpiresAtEpochSeconds: sealed ? earliest : undefined,
    });
  }
  return [...groups.values()];
}
