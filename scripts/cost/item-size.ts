// DynamoDB item size by AWS's published rules (developer guide, "DynamoDB item sizes and
// formats"): attribute name bytes + value bytes; numbers 1 byte per two significant digits + 1;
// List/Map 3 bytes + 1 per element. The one size rule of the repository: `npm run cost` and the
// benches (test/bench) size marshalled items with it, as the SDK sends them, without AWS access.

/** A marshalled attribute value, as the low-level DynamoDB API carries it. */
export type AttributeValue =
  | { readonly S: string }
  | { readonly N: string }
  | { readonly B: Uint8Array | string }
  | { readonly BOOL: boolean }
  | { readonly NULL: true }
  | { readonly SS: readonly string[] }
  | { readonly NS: readonly string[] }
  | { readonly L: readonly AttributeValue[] }
  | { readonly M: Readonly<Record<string, AttributeValue>> };

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * A number's size: 1 byte per two significant digits, plus 1; leading and trailing zeros do not
 * count. Zero counts as one digit (2 bytes): AWS calls the rule approximate, so it rounds up.
 */
export function numberSize(text: string): number {
  const digits = text
    .replace(/^[-+]/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '');
  const significant = digits.replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, significant.length) / 2) + 1;
}

/** The size of one attribute value (without its name). */
export function attributeValueSize(value: AttributeValue): number {
  if ('S' in value) return utf8Bytes(value.S);
  if ('N' in value) return numberSize(value.N);
  if ('B' in value) {
    return typeof value.B === 'string' ? Buffer.from(value.B, 'base64').length : value.B.length;
  }
  if ('BOOL' in value || 'NULL' in value) return 1;
  if ('SS' in value) return value.SS.reduce((sum, entry) => sum + utf8Bytes(entry), 0);
  if ('NS' in value) return value.NS.reduce((sum, entry) => sum + numberSize(entry), 0);
  if ('L' in value)
    return 3 + value.L.reduce((sum, entry) => sum + 1 + attributeValueSize(entry), 0);
  return (
    3 +
    Object.entries(value.M).reduce((sum, [name, entry]) => sum + 1 + attributeSize(name, entry), 0)
  );
}

function attributeSize(name: string, value: AttributeValue): number {
  return utf8Bytes(name) + attributeValueSize(value);
}

/** Bytes DynamoDB counts for an item (capacity, not storage: no 100-byte index overhead). */
export function itemSizeBytes(item: Readonly<Record<string, AttributeValue>>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + attributeSize(name, value), 0);
}

/** Write request units for one standard write of an item this size (1 KB units, rounded up). */
export function writeUnits(sizeBytes: number): number {
  return Math.max(1, Math.ceil(sizeBytes / 1024));
}

/** Read request units for one strongly consistent read (4 KB units); eventual reads are half. */
export function readUnits(sizeBytes: number, consistent: boolean): number {
  const units = Math.max(1, Math.ceil(sizeBytes / 4096));
  return consistent ? units : units / 2;
}
