/**
 * JSON with object keys sorted recursively (by UTF-16 code units, like `Array.prototype.sort`)
 * and no whitespace, so two bodies that differ only in key order serialise identically. Built
 * as a string, never as a re-assembled object, so a `__proto__` key from `JSON.parse` stays
 * an ordinary key. Input is a parsed JSON value (no undefined, functions or non-finite numbers).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}
