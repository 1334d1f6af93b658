// Chunking and stream-driving helpers shared by the usage tests.

const encoder = new TextEncoder();

export const utf8 = (text: string): Uint8Array => encoder.encode(text);

export const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/**
 * The bytes as a latin1 string: one char per byte, so equal strings mean equal bytes, and
 * comparing them is much faster than deep-comparing typed arrays.
 */
export const raw = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/** Cuts `bytes` at the given offsets (any order, duplicates allowed: they give empty chunks). */
export function cutAt(bytes: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const sorted = [...offsets].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const offset of sorted) {
    chunks.push(bytes.slice(start, offset));
    start = offset;
  }
  chunks.push(bytes.slice(start));
  return chunks;
}

/** Every way of cutting `bytes` in two, including the empty halves at both ends. */
export function everyTwoWaySplit(bytes: Uint8Array): Uint8Array[][] {
  return Array.from({ length: bytes.byteLength + 1 }, (_, offset) => cutAt(bytes, [offset]));
}

export function singleBytes(bytes: Uint8Array): Uint8Array[] {
  return Array.from(bytes, (byte) => Uint8Array.of(byte));
}

/** Writes the chunks through a transform and returns every chunk it emitted. */
export async function runThrough(
  transform: TransformStream<Uint8Array, Uint8Array>,
  chunks: readonly Uint8Array[],
): Promise<Uint8Array[]> {
  const writer = transform.writable.getWriter();
  const reader = transform.readable.getReader();
  const emitted: Uint8Array[] = [];
  const reading = (async () => {
    for (;;) {
      const result = await reader.read();
      if (result.done) return;
      emitted.push(result.value);
    }
  })();
  // Queue every write at once (the stream still delivers them one by one) to keep tests fast.
  const writes = chunks.map((chunk) => writer.write(chunk));
  await Promise.all([...writes, writer.close(), reading]);
  return emitted;
}
