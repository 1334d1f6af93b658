// Local master key for LocalDataKeyProvider. External calls: node:fs (mkdir, writeFile 0600, link, readFile, rm), node:crypto randomBytes.
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

const MASTER_KEY_BYTES = 32;

/**
 * Reads the 32-byte master key at `path`, or creates it with fresh CSPRNG bytes (file mode 0600,
 * parent folder 0700) when the file does not exist. Losing the file makes every locally sealed
 * secret unreadable, so an existing file is never overwritten.
 * @throws Error naming the path (never the content) when the file is not exactly 32 bytes.
 */
export async function loadOrCreateMasterKey(path: string): Promise<Uint8Array> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const candidate = randomBytes(MASTER_KEY_BYTES);
  // Write a private temp file, then hard-link it into place: link() fails if `path` exists, so a
  // second process starting at the same moment never sees a half-written key or replaces one.
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, candidate, { flag: 'wx', mode: 0o600 });
    await link(temporary, path);
    return new Uint8Array(candidate);
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  } finally {
    candidate.fill(0);
    await rm(temporary, { force: true });
  }
  const stored = await readFile(path);
  try {
    if (stored.length !== MASTER_KEY_BYTES) {
      throw new Error(
        `The master key file ${path} must hold exactly ${MASTER_KEY_BYTES} bytes. Restore it from a backup, or delete it to start over (secrets sealed with it become unreadable).`,
      );
    }
    return new Uint8Array(stored);
  } finally {
    stored.fill(0);
  }
}

function isAlreadyExists(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'EEXIST';
}
