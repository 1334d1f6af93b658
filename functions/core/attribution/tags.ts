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

export function isTagKey(key: string): boolean {
  return TAG_KEY_PATTERN.test(key);
}

export function isTagValue(value: string): boolean {
  return value.length <= MAX_TAG_VALUE_LENGTH && TAG_VALUE_PATTERN.test(value);
}
