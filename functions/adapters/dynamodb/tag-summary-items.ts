// The stored form of tag summaries (see `#core/rollups/tag-summary.ts`): one JSON document per
// (account, tag key, bucket), in items of at most SUMMARY_PART_CHARS characters each:
//   pk=TAG#<account>#<key>  sk=S#<H|D>#<bucket ISO>#<part>   `part`, `parts`, `version`, `doc`
// `doc` = {d: [dimensions...], v: [[value, [entry...]]...], r: [entry...], f: folded values};
// an entry is [dimension index, requests, errors, input, output, cache read, cache write,
// cost (decimal string), unpriced, expiry]. A reader joins the parts of one version only.
import { createHash } from 'node:crypto';
import type { ProviderId } from '#core/providers/provider-registry.ts';
import type { Granularity } from '#core/rollups/buckets.ts';
import type { RollupDimensions } from '#core/rollups/rollup.ts';
import type { TagSummary, TagSummaryEntry } from '#core/rollups/tag-summary.ts';
import { usageKindOf } from '#core/usage/usage-record.ts';

type Item = Record<string, unknown>;

/** Characters of the document per item: far below DynamoDB's 400 KB item limit. */
export const SUMMARY_PART_CHARS = 300_000;

const GRANULARITY_LETTER: Record<Granularity, string> = { hour: 'H', day: 'D' };

/** Sort key prefix of the summaries of one granularity. */
export const summaryPrefix = (granularity: Granularity): string =>
  `S#${GRANULARITY_LETTER[granularity]}#`;

export const summarySk = (granularity: Granularity, bucketStart: string, part: number): string =>
  `${summaryPrefix(granularity)}${bucketStart}#${String(part).padStart(3, '0')}`;

type Dimensions = [ProviderId, string, string | null, number, string];
type EncodedEntry = [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  string,
  number,
  number,
];

interface Document {
  readonly d: Dimensions[];
  readonly v: [string, EncodedEntry[]][];
  readonly r: EncodedEntry[];
  readonly f: number;
}

function encode(summary: TagSummary): Document {
  const dimensions: Dimensions[] = [];
  const index = new Map<string, number>();
  const entry = (e: TagSummaryEntry): EncodedEntry => {
    const dims: Dimensions = [e.provider, e.model, e.requester, e.status, e.kind];
    const id = JSON.stringify(dims);
    let at = index.get(id);
    if (at === undefined) {
      at = dimensions.length;
      dimensions.push(dims);
      index.set(id, at);
    }
    return [
      at,
      e.requests,
      e.errors,
      e.inputTokens,
      e.outputTokens,
      e.cacheReadTokens,
      e.cacheWriteTokens,
      e.costPicoUsd.toString(),
      e.unpricedRequests,
      e.expiresAtEpochSeconds,
    ];
  };
  return {
    v: summary.values.map(({ value, entries }) => [value, entries.map(entry)]),
    r: summary.rest.map(entry),
    f: summary.foldedValues,
    d: dimensions,
  };
}

function decodeEntry(dimensions: readonly Dimensions[], e: EncodedEntry): TagSummaryEntry {
  const [provider, model, requester, status, kind] = dimensions[e[0]] as Dimensions;
  const dims: RollupDimensions = { provider, model, requester, status, kind: usageKindOf(kind) };
  return {
    ...dims,
    requests: e[1],
    errors: e[2],
    inputTokens: e[3],
    outputTokens: e[4],
    cacheReadTokens: e[5],
    cacheWriteTokens: e[6],
    costPicoUsd: BigInt(e[7]),
    unpricedRequests: e[8],
    expiresAtEpochSeconds: e[9],
  };
}

/** The latest expiry of anything the summary counts: its items' TTL. */
function latestExpiry(summary: TagSummary): number {
  let latest = 0;
  for (const { entries } of summary.values) {
    for (const entry of entries) latest = Math.max(latest, entry.expiresAtEpochSeconds);
  }
  for (const entry of summary.rest) latest = Math.max(latest, entry.expiresAtEpochSeconds);
  return latest;
}

/** The items of one summary (usually one). */
export function summaryItems(pk: string, summary: TagSummary): Item[] {
  const doc = JSON.stringify(encode(summary));
  const version = createHash('sha256').update(doc).digest('hex').slice(0, 16);
  const parts = Math.max(1, Math.ceil(doc.length / SUMMARY_PART_CHARS));
  return Array.from({ length: parts }, (_, part) => ({
    pk,
    sk: summarySk(summary.granularity, summary.bucketStart, part),
    accountId: summary.accountId,
    tagKey: summary.tagKey,
    granularity: summary.granularity,
    bucketStart: summary.bucketStart,
    part,
    parts,
    version,
    doc: doc.slice(part * SUMMARY_PART_CHARS, (part + 1) * SUMMARY_PART_CHARS),
    expiresAtEpochSeconds: latestExpiry(summary),
  }));
}

/**
 * The summaries the items hold: per bucket, the parts of one version, all present; a bucket
 * whose parts do not add up (a write cut short, or raced by another) is left out, so its
 * reader falls back to the bucket's hourly items.
 */
export function summariesFromItems(items: readonly Item[]): TagSummary[] {
  const byBucket = new Map<string, Item[]>();
  for (const item of items) {
    const id = `${item.granularity}|${item.bucketStart}|${item.version}`;
    byBucket.set(id, [...(byBucket.get(id) ?? []), item]);
  }
  const summaries: TagSummary[] = [];
  for (const parts of byBucket.values()) {
    const sorted = [...parts].sort((a, b) => Number(a.part) - Number(b.part));
    const first = sorted[0];
    if (first === undefined || sorted.length !== Number(first.parts)) continue;
    if (sorted.some((item, index) => Number(item.part) !== index)) continue;
    const doc = JSON.parse(sorted.map((item) => String(item.doc)).join('')) as Document;
    summaries.push({
      accountId: String(first.accountId),
      tagKey: String(first.tagKey),
      granularity: first.granularity === 'day' ? 'day' : 'hour',
      bucketStart: String(first.bucketStart),
      values: doc.v.map(([value, entries]) => ({
        value,
        entries: entries.map((e) => decodeEntry(doc.d, e)),
      })),
      rest: doc.r.map((e) => decodeEntry(doc.d, e)),
      foldedValues: doc.f,
    });
  }
  return summaries;
}
