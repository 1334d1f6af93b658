/**
 * Request tags (`x-metrion-tag-<key>: <value>`): the vocabulary shared by the proxy, the usage
 * record, rollups, filters, budgets and alert scopes, so that each rule exists once.
 */

/** Header prefix of a tag; the rest of the header name is the tag key. */
export const TAG_HEADER_PREFIX = 'x-metrion-tag-';

/** At most this many tags per request. */
export const MAX_TAGS_PER_REQUEST = 5;

/** Tag keys: lowercase letters, digits, `_` and `-`, 1 to 32 characters. */
export const TAG_KEY_PATTERN = /^[a-z0-9_-]{1,32}$/;

/** Longest tag value, in characters. */
export const MAX_TAG_VALUE_LENGTH = 64;

/** Tag values: printable ASCII (no control characters), 1 to {@link MAX_TAG_VALUE_LENGTH}. */
export const TAG_VALUE_PATTERN = /^[\x20-\x7e]+$/;

/** A request's tags, key to value (keys unique, at most {@link MAX_TAGS_PER_REQUEST}). */
export type Tags = Readonly<Record<string, string>>;

/**
 * Keys that fit the pattern but name JavaScript object internals: `__proto__` would set an
 * object's prototype instead of holding a tag, and the DynamoDB marshaller takes a map with a
 * `constructor` entry for a class instance and refuses to store it.
 */
export const RESERVED_TAG_KEYS: readonly string[] = ['__proto__', 'constructor'];

export function isTagKey(key: string): boolean {
  return TAG_KEY_PATTERN.test(key) && !RESERVED_TAG_KEYS.includes(key);
}

export function isTagValue(value: string): boolean {
  return value.length <= MAX_TAG_VALUE_LENGTH && TAG_VALUE_PATTERN.test(value);
}

/** `<key>:<value>`: how a tag is written in filters (`?tag=feature:search`) and labels. */
export const TAG_FILTER_SEPARATOR = ':';

/** A tag as a filter names it. */
export interface TagPair {
  readonly key: string;
  readonly value: string;
}

/**
 * Reads `<key>:<value>` (the value may itself hold `:`); undefined when the key or the value
 * breaks the tag rules.
 */
export function parseTagPair(text: string): TagPair | undefined {
  const at = text.indexOf(TAG_FILTER_SEPARATOR);
  if (at < 0) return undefined;
  const key = text.slice(0, at);
  const value = text.slice(at + 1);
  return isTagKey(key) && isTagValue(value) ? { key, value } : undefined;
}

/** The `<key>:<value>` text of a tag. */
export function tagPairText(pair: TagPair): string {
  return `${pair.key}${TAG_FILTER_SEPARATOR}${pair.value}`;
}

/**
 * Tag filters by key: a record matches when, for every key listed, its tag of that key is one of
 * the key's values (values of one key OR, keys AND, as every other filter).
 */
export type TagFilter = Readonly<Record<string, readonly string[]>>;

/** Groups `key:value` pairs by key (values in the order given, duplicates dropped). */
export function tagFilterOf(pairs: readonly TagPair[]): TagFilter {
  const byKey = new Map<string, string[]>();
  for (const { key, value } of pairs) {
    const values = byKey.get(key) ?? [];
    if (!values.includes(value)) values.push(value);
    byKey.set(key, values);
  }
  return Object.fromEntries(byKey);
}

/** Whether tags pass the filter; an empty filter passes everything. */
export function tagsMatch(filter: TagFilter | undefined, tags: Tags | undefined): boolean {
  if (filter === undefined) return true;
  return Object.entries(filter).every(([key, values]) => {
    const value = tags !== undefined && Object.hasOwn(tags, key) ? tags[key] : undefined;
    return value !== undefined && values.includes(value);
  });
}
