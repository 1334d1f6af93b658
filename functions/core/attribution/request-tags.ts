import { InvalidRequestError } from '../errors.ts';
import {
  isTagKey,
  isTagValue,
  MAX_TAG_VALUE_LENGTH,
  MAX_TAGS_PER_REQUEST,
  RESERVED_TAG_KEYS,
  TAG_HEADER_PREFIX,
  type Tags,
} from './tags.ts';

/**
 * The request's tags from its `x-metrion-tag-<key>: <value>` headers (names arrive lower-cased,
 * so `X-Metrion-Tag-Feature` is the key `feature`); undefined without any. Values are trimmed.
 * These headers are Metrion's own: the upstream request is built from an allow-list that never
 * includes them.
 * @throws InvalidRequestError naming the header and what is wrong with it: a key outside
 * `[a-z0-9_-]{1,32}`, an empty, non-printable or too long value, or more than
 * {@link MAX_TAGS_PER_REQUEST} tags.
 */
export function parseRequestTags(headers: Readonly<Record<string, string>>): Tags | undefined {
  const tags: Record<string, string> = {};
  let count = 0;
  for (const [name, rawValue] of Object.entries(headers)) {
    if (!name.startsWith(TAG_HEADER_PREFIX)) continue;
    const key = name.slice(TAG_HEADER_PREFIX.length);
    if (!isTagKey(key)) {
      throw new InvalidRequestError(
        RESERVED_TAG_KEYS.includes(key)
          ? `Header ${name}: "${key}" is reserved; name the tag otherwise.`
          : `Header ${name}: a tag key is 1 to 32 characters of a-z, 0-9, _ and - (x-metrion-tag-<key>: <value>).`,
      );
    }
    const value = rawValue.trim();
    if (value === '') {
      throw new InvalidRequestError(
        `Header ${name} is empty: send a value, or leave the header out.`,
      );
    }
    if (!isTagValue(value)) {
      throw new InvalidRequestError(
        value.length > MAX_TAG_VALUE_LENGTH
          ? `Header ${name} is ${value.length} characters long; a tag value has at most ${MAX_TAG_VALUE_LENGTH}.`
          : `Header ${name}: a tag value is printable ASCII (letters, digits, spaces and punctuation; no control or non-ASCII characters).`,
      );
    }
    count += 1;
    if (count > MAX_TAGS_PER_REQUEST) {
      throw new InvalidRequestError(
        `Header ${name}: a request carries at most ${MAX_TAGS_PER_REQUEST} x-metrion-tag-* headers.`,
      );
    }
    tags[key] = value;
  }
  return count === 0 ? undefined : tags;
}
