import { createHash } from 'node:crypto';
import { bucketIso, DAY_MS } from './buckets.ts';

/*
 * Month packs: the sealed daily items of one item family, one stored item per (account, UTC
 * month, item key) holding that key's day slices, plus one manifest per (account, month) that
 * says which days are packed and how many slices each has. A long range then reads about
 * (months x keys) items instead of (days x keys), and every day keeps its own counts, so daily
 * series stay exact. Written by the seal job only, once a day is closed and sealed; never by the
 * live path. Concurrent or failed writes can leave a month's packs inconsistent: readers detect
 * that per day (see {@link unpackDays}) and read that day's daily items instead.
 */

/** A daily item of any family: the fields the packing needs. */
export interface DailyItem {
  readonly accountId: string;
  /** ISO UTC start of the day. */
  readonly bucketStart: string;
  /** Retention by plan: readers skip the item from then on. */
  readonly expiresAtEpochSeconds: number;
}

/** What the packing needs to know about an item family. */
export interface PackFamily<T extends DailyItem> {
  /** The item's key within its bucket (rollups: the dimension key). */
  keyOf(item: T): string;
  /** A complete, deterministic text form of the item (its version is hashed from it). */
  canonical(item: T): string;
}

/** One day of a pack: the item and the version of the day's write it belongs to. */
export interface PackedDay<T> {
  readonly version: string;
  readonly item: T;
}

/** One key's sealed days of one month. */
export interface MonthPack<T> {
  readonly accountId: string;
  /** ISO UTC start of the month. */
  readonly monthStart: string;
  readonly key: string;
  /** By day start (ISO). */
  readonly days: ReadonlyMap<string, PackedDay<T>>;
}

/** A packed day as the manifest states it. */
export interface ManifestDay {
  readonly version: string;
  /** How many slices (keys) the day has. */
  readonly count: number;
  /** The latest expiry among the day's items. */
  readonly expiresAtEpochSeconds: number;
}

/** The packed days of one account-month. */
export interface PackManifest {
  readonly accountId: string;
  readonly monthStart: string;
  /** By day start (ISO). */
  readonly days: ReadonlyMap<string, ManifestDay>;
}

/** An account's packs and manifests of some months, as a store reads them. */
export interface MonthPacks<T> {
  readonly packs: readonly MonthPack<T>[];
  readonly manifests: readonly PackManifest[];
}

/** What one day's packing writes: packs to put whole, keys to delete, then the manifest. */
export interface MonthPackUpdate<T> {
  readonly accountId: string;
  readonly monthStart: string;
  readonly put: readonly MonthPack<T>[];
  readonly deleteKeys: readonly string[];
  readonly manifest: PackManifest;
}

/** Start of the UTC month holding `atMs`. */
export function monthStartMs(atMs: number): number {
  const at = new Date(atMs);
  return Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1);
}

/** Start of the UTC month after the one holding `atMs`. */
export function nextMonthStartMs(atMs: number): number {
  const at = new Date(atMs);
  return Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1);
}

/**
 * The version of one day's content: a hash of its items' canonical forms in key order. Equal
 * content gives equal versions, so two writers of the same day never disagree, and a slice
 * left from another write of the day never matches.
 */
export function dayVersion<T extends DailyItem>(
  family: PackFamily<T>,
  items: readonly T[],
): string {
  const hash = createHash('sha256');
  for (const text of items.map((item) => family.canonical(item)).sort()) hash.update(`${text}\n`);
  return hash.digest('hex').slice(0, 16);
}

/**
 * Replaces one day in a month's packs: `items` (the day's complete, sealed items) become its
 * slices, slices of that day under other keys go, and the manifest states the day. Pure: the
 * caller writes the answer (`put`, `deleteKeys`, then `manifest`).
 */
export function repackDay<T extends DailyItem>(
  family: PackFamily<T>,
  current: MonthPacks<T>,
  target: { readonly accountId: string; readonly dayMs: number },
  items: readonly T[],
): MonthPackUpdate<T> {
  const monthStart = bucketIso(monthStartMs(target.dayMs));
  const day = bucketIso(target.dayMs);
  const version = dayVersion(family, items);
  const byKey = new Map(items.map((item) => [family.keyOf(item), item]));
  const packs = new Map(
    current.packs
      .filter((pack) => pack.monthStart === monthStart && pack.accountId === target.accountId)
      .map((pack) => [pack.key, pack]),
  );
  const put: MonthPack<T>[] = [];
  const deleteKeys: string[] = [];
  for (const key of new Set([...packs.keys(), ...byKey.keys()])) {
    const days = new Map(packs.get(key)?.days);
    const item = byKey.get(key);
    const hadDay = days.delete(day);
    if (item !== undefined) days.set(day, { version, item });
    else if (!hadDay) continue;
    if (days.size === 0) deleteKeys.push(key);
    else put.push({ accountId: target.accountId, monthStart, key, days });
  }
  const previous = current.manifests.find(
    (manifest) => manifest.monthStart === monthStart && manifest.accountId === target.accountId,
  );
  const manifestDays = new Map(previous?.days);
  manifestDays.set(day, {
    version,
    count: items.length,
    expiresAtEpochSeconds: latest(items.map((item) => item.expiresAtEpochSeconds)),
  });
  return {
    accountId: target.accountId,
    monthStart,
    put,
    deleteKeys,
    manifest: { accountId: target.accountId, monthStart, days: manifestDays },
  };
}

/** The largest of some epoch seconds; 0 for none (a loop: a day may hold very many items). */
function latest(epochSeconds: readonly number[]): number {
  let found = 0;
  for (const value of epochSeconds) if (value > found) found = value;
  return found;
}

/** The latest expiry among a pack's days (its stored item may go then). */
export function packExpiry<T extends DailyItem>(pack: MonthPack<T>): number {
  return latest([...pack.days.values()].map(({ item }) => item.expiresAtEpochSeconds));
}

/** The latest expiry among a manifest's days. */
export function manifestExpiry(manifest: PackManifest): number {
  return latest([...manifest.days.values()].map((day) => day.expiresAtEpochSeconds));
}

/**
 * The packed days in `[fromMs, toMs)` that can be trusted, and their unexpired items. A day is
 * covered when its manifest entry is there and exactly `count` slices carry its version: a
 * slice lost or overwritten by a concurrent or failed write shows up as a wrong count, so that
 * day is left to the caller (it reads the daily items instead).
 */
export function unpackDays<T extends DailyItem>(
  packed: MonthPacks<T>,
  fromMs: number,
  toMs: number,
  nowEpochSeconds: number,
): { readonly items: T[]; readonly coveredDays: ReadonlySet<number> } {
  const slices = new Map<string, PackedDay<T>[]>();
  for (const pack of packed.packs) {
    for (const [day, slice] of pack.days) {
      const list = slices.get(day);
      if (list === undefined) slices.set(day, [slice]);
      else list.push(slice);
    }
  }
  const items: T[] = [];
  const coveredDays = new Set<number>();
  for (const manifest of packed.manifests) {
    for (const [day, stated] of manifest.days) {
      const dayMs = Date.parse(day);
      if (dayMs < fromMs || dayMs >= toMs) continue;
      // Every item of the day has expired: nothing left to show, whatever the packs still hold.
      if (stated.expiresAtEpochSeconds <= nowEpochSeconds) {
        coveredDays.add(dayMs);
        continue;
      }
      const matching = (slices.get(day) ?? []).filter((s) => s.version === stated.version);
      if (matching.length !== stated.count) continue;
      coveredDays.add(dayMs);
      for (const { item } of matching) {
        if (item.expiresAtEpochSeconds > nowEpochSeconds) items.push(item);
      }
    }
  }
  return { items, coveredDays };
}

/**
 * The part of `[fromMs, toMs)` worth reading from month packs: the months in between, and an edge
 * month only when the range holds at least `minDays` of its days (a pack holds its whole month,
 * so a few days of it cost more bytes than their daily items). Undefined when no part is.
 */
export function packedPart(
  fromMs: number,
  toMs: number,
  minDays: number,
): { readonly fromMs: number; readonly toMs: number } | undefined {
  const firstMonthEnd = nextMonthStartMs(fromMs);
  const lastMonthStart = monthStartMs(toMs - 1);
  const partFrom =
    Math.min(toMs, firstMonthEnd) - fromMs >= minDays * DAY_MS ? fromMs : firstMonthEnd;
  const partTo =
    toMs - Math.max(fromMs, lastMonthStart) >= minDays * DAY_MS ? toMs : lastMonthStart;
  return partFrom < partTo ? { fromMs: partFrom, toMs: partTo } : undefined;
}

/** Half-open day spans of `[fromMs, toMs)` (whole days) not in `covered`, in order. */
export function uncoveredSpans(
  fromMs: number,
  toMs: number,
  covered: ReadonlySet<number>,
): [number, number][] {
  const spans: [number, number][] = [];
  for (let dayMs = fromMs; dayMs < toMs; dayMs += DAY_MS) {
    if (covered.has(dayMs)) continue;
    const last = spans.at(-1);
    if (last !== undefined && last[1] === dayMs) last[1] = dayMs + DAY_MS;
    else spans.push([dayMs, dayMs + DAY_MS]);
  }
  return spans;
}
