// The stored form of the rollups' month packs and manifests (see `#core/rollups/month-packs.ts`):
// items in the account's rollup partition, next to its hourly and daily items.
//   pack:      pk=ROLLUP#<account>  sk=M#<month ISO>#<dimension key>   dimensions as attributes,
//              `days` = JSON {"<day of month>": [version, counts..., cost, histogram, expiries]}
//   manifest:  pk=ROLLUP#<account>  sk=M#<month ISO>#   (a dimension key is never empty)
//              `days` = JSON {"<day of month>": [version, count, latest expiry]}
// Both expire (TTL) with their latest day.

import type { ProviderId } from '#core/providers/provider-registry.ts';
import {
  type ManifestDay,
  type MonthPack,
  manifestExpiry,
  type PackedDay,
  type PackManifest,
  packExpiry,
} from '#core/rollups/month-packs.ts';
import type { Rollup, RollupCounts } from '#core/rollups/rollup.ts';
import { usageKindOf } from '#core/usage/usage-record.ts';

type Item = Record<string, unknown>;

/** Sort key prefix of a month's packs and manifest. */
const PACK_PREFIX = 'M#';

/**
 * The counts of a day slice, in their stored order: a slice is [version, these counts, cost
 * (decimal string), histogram [index, count, ...], expiry, earliest expiry or null, tier-unpriced
 * requests]. The last was appended later: a slice without it has none.
 */
const SLICE_FIELDS = [
  'requests',
  'errors',
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
  'estimatedRequests',
] as const satisfies readonly (keyof RollupCounts)[];

export const packSk = (monthStart: string, key: string): string =>
  `${PACK_PREFIX}${monthStart}#${key}`;

const dayOfMonth = (day: string): string => day.slice(8, 10);
/** The day's ISO start: the month's with its day digits replaced (`2026-11-01T...` -> `-07T`). */
const dayFrom = (monthStart: string, dayOfMonthText: string): string =>
  `${monthStart.slice(0, 8)}${dayOfMonthText}${monthStart.slice(10)}`;

function encodeSlice({ version, item }: PackedDay<Rollup>): unknown[] {
  return [
    version,
    ...SLICE_FIELDS.map((field) => item[field]),
    item.costPicoUsd.toString(),
    [...item.latencyHistogram].flat(),
    item.expiresAtEpochSeconds,
    item.earliestExpiresAtEpochSeconds ?? null,
    item.tierUnpricedRequests,
  ];
}

/** Decodes a slice: thousands per read, so fields are read by position, without a loop. */
function decodeSlice(template: Item, day: string, s: readonly unknown[]): PackedDay<Rollup> {
  const n = (index: number): number => Number(s[index]);
  const flat = (s[16] ?? []) as readonly number[];
  const histogram = new Map<number, number>();
  for (let i = 0; i + 1 < flat.length; i += 2) histogram.set(flat[i] ?? 0, flat[i + 1] ?? 0);
  const earliest = s[18];
  const item: Rollup = {
    accountId: String(template.accountId),
    granularity: 'day',
    bucketStart: day,
    provider: String(template.provider) as ProviderId,
    model: String(template.model),
    requester: typeof template.requester === 'string' ? template.requester : null,
    status: Number(template.status),
    kind: usageKindOf(template.kind),
    requests: n(1),
    errors: n(2),
    metrionErrors: n(3),
    inputTokens: n(4),
    outputTokens: n(5),
    cacheReadTokens: n(6),
    cacheWriteTokens: n(7),
    unpricedRequests: n(8),
    tierUnpricedRequests: Number(s[19] ?? 0),
    latencyMsSum: n(9),
    timeToFirstTokenMsSum: n(10),
    timeToFirstTokenCount: n(11),
    streamedRequests: n(12),
    cachedRequests: n(13),
    estimatedRequests: n(14),
    costPicoUsd: BigInt(String(s[15] ?? '0')),
    latencyHistogram: histogram,
    expiresAtEpochSeconds: n(17),
    sealed: true,
    earliestExpiresAtEpochSeconds: typeof earliest === 'number' ? earliest : undefined,
  };
  return { version: String(s[0]), item };
}

/** The stored form of a pack (exported for bulk seeding in the bench). */
export function packItem(pk: string, pack: MonthPack<Rollup>): Item {
  const first = pack.days.values().next().value?.item;
  if (first === undefined) throw new Error('A month pack needs at least one day.');
  const days = Object.fromEntries(
    [...pack.days].map(([day, slice]) => [dayOfMonth(day), encodeSlice(slice)]),
  );
  return {
    pk,
    sk: packSk(pack.monthStart, pack.key),
    accountId: pack.accountId,
    monthStart: pack.monthStart,
    provider: first.provider,
    model: first.model,
    requester: first.requester ?? undefined,
    status: first.status,
    kind: first.kind,
    days: JSON.stringify(days),
    expiresAtEpochSeconds: packExpiry(pack),
  };
}

/** The stored form of a manifest (exported for bulk seeding in the bench). */
export function manifestItem(pk: string, manifest: PackManifest): Item {
  const days = Object.fromEntries(
    [...manifest.days].map(([day, d]) => [
      dayOfMonth(day),
      [d.version, d.count, d.expiresAtEpochSeconds],
    ]),
  );
  return {
    pk,
    sk: packSk(manifest.monthStart, ''),
    accountId: manifest.accountId,
    monthStart: manifest.monthStart,
    days: JSON.stringify(days),
    expiresAtEpochSeconds: manifestExpiry(manifest),
  };
}

/** A stored pack or manifest back in its core form. */
export function fromPackItem(item: Item): { pack: MonthPack<Rollup> } | { manifest: PackManifest } {
  const monthStart = String(item.monthStart);
  const key = String(item.sk).slice(packSk(monthStart, '').length);
  const stored = Object.entries(JSON.parse(String(item.days)) as Record<string, unknown[]>);
  if (key === '') {
    const days = new Map<string, ManifestDay>(
      stored.map(([dom, [version, count, expires]]) => [
        dayFrom(monthStart, dom),
        {
          version: String(version),
          count: Number(count),
          expiresAtEpochSeconds: Number(expires),
        },
      ]),
    );
    return { manifest: { accountId: String(item.accountId), monthStart, days } };
  }
  const days = new Map(
    stored.map(([dom, slice]) => {
      const day = dayFrom(monthStart, dom);
      return [day, decodeSlice(item, day, slice)];
    }),
  );
  return { pack: { accountId: String(item.accountId), monthStart, key, days } };
}
