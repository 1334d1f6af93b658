import type { TagPair } from '../attribution/tags.ts';
import type { Granularity } from './buckets.ts';
import {
  dimensionKey,
  keyPart,
  type Rollup,
  regroupRollups,
  rollupsFromRecords,
  type StoredUsageRecord,
} from './rollup.ts';

/**
 * A rollup of the requests that carried one tag value: the usage rollup's counts and dimensions
 * for (account, bucket, tag key, tag value, dimension combination). A request with 3 tags counts
 * in 3 tag rollups (one per key), so tag rollups of one key sum to the tagged requests of that
 * key, never across keys.
 */
export interface TagRollup extends Rollup {
  readonly tagKey: string;
  readonly tagValue: string;
}

/** The tag a tag rollup counts. */
export function tagOf(rollup: TagRollup): TagPair {
  return { key: rollup.tagKey, value: rollup.tagValue };
}

/**
 * A stable key for a tag rollup within its tag key and bucket: value and dimension combination
 * (the value encoded like a dimension, so `|` never collides).
 */
export function tagRollupKey(
  rollup: Pick<TagRollup, 'tagValue'> & Parameters<typeof dimensionKey>[0],
): string {
  return `${keyPart(rollup.tagValue)}|${dimensionKey(rollup)}`;
}

/** Groups items by tag (key and value), keeping the order in which tags first appear. */
function byTag<T>(
  entries: Iterable<T>,
  tagsOf: (entry: T) => Iterable<readonly [string, string]>,
): Map<string, { key: string; value: string; entries: T[] }> {
  const groups = new Map<string, { key: string; value: string; entries: T[] }>();
  for (const entry of entries) {
    for (const [key, value] of tagsOf(entry)) {
      const id = `${key}\u0000${value}`;
      const group = groups.get(id);
      if (group === undefined) groups.set(id, { key, value, entries: [entry] });
      else group.entries.push(entry);
    }
  }
  return groups;
}

/**
 * The tag rollups of raw records at one granularity: for every tag a record carries, the usage
 * rollups' own fold (`rollupsFromRecords`) over the records with that tag, so tag rollups and
 * usage rollups cannot count differently.
 */
export function tagRollupsFromRecords(
  records: Iterable<StoredUsageRecord>,
  granularity: Granularity,
  sealed: boolean,
): TagRollup[] {
  const groups = byTag(records, ({ record }) => Object.entries(record.tags ?? {}));
  return [...groups.values()].flatMap(({ key, value, entries }) =>
    rollupsFromRecords(entries, granularity, sealed).map((rollup) => ({
      ...rollup,
      tagKey: key,
      tagValue: value,
    })),
  );
}

/** Re-groups tag rollups into another granularity (hours into their day), per tag. */
export function regroupTagRollups(
  rollups: Iterable<TagRollup>,
  granularity: Granularity,
  sealed: boolean,
): TagRollup[] {
  const groups = byTag(rollups, (rollup) => [[rollup.tagKey, rollup.tagValue] as const]);
  return [...groups.values()].flatMap(({ key, value, entries }) =>
    regroupRollups(entries, granularity, sealed).map((rollup) => ({
      ...rollup,
      tagKey: key,
      tagValue: value,
    })),
  );
}
