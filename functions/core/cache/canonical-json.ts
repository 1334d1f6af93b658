import { InvalidRequestError } from '../errors.ts';

/** Deepest nesting keyed (real bodies, JSON-schema tools included, stay far below it). */
export const MAX_CANONICAL_JSON_DEPTH = 256;

/**
 * JSON with object keys sorted recursively (by UTF-16 code units, like `Array.prototype.sort`)
 * and no whitespace, so two bodies that differ only in key order serialise identically. Built
 * as a string, never as a re-assembled object, so a `__proto__` key from `JSON.parse` stays
 * an ordinary key. Input is a parsed JSON value (no undefined, functions or non-finite numbers).
 * @throws InvalidRequestError when it nests deeper than {@link MAX_CANONICAL_JSON_DEPTH}, so a
 *   hostile body is a 400 rather than a stack overflow.
 */
export function canonicalJson(value: unknown, depth = 0): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (depth >= MAX_CANONICAL_JSON_DEPTH) {
    throw new InvalidRequestError(
      `The request body nests objects or arrays deeper than ${MAX_CANONICAL_JSON_DEPTH} levels, more than the response cache keys. Send it without x-metrion-cache.`,
    );
  }
  if (Array.isArray(value)) {
    return `[${value.map((item) => canonicalJson(item, depth + 1)).join(',')}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item, depth + 1)}`).join(',')}}`;
}
