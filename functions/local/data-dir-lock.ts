// One owner per data folder: dynalite's files cannot be shared between processes, so `npm start`
// and an `npm run admin` that opens the folder itself each hold a lock file naming their pid.
// The running server adds its URL and dynalite endpoint, which `npm run admin` joins instead of
// opening the files. A lock whose process is gone is stale and taken over.
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const LOCK_FILE = 'runtime.json';

/** Who holds a data folder, as its lock file says. */
export interface DataDirOwner {
  readonly pid: number;
  /** `server`: `npm start`; `admin`: `npm run admin` with its own dynalite. */
  readonly role: 'server' | 'admin';
  /** Where the server listens, once it does. */
  readonly url?: string;
  /** The server's dynalite, for `npm run admin` to join. */
  readonly dynamoEndpoint?: string;
}

/** The data folder is held by a live process: the one line `npm start` prints before exit 1. */
export class DataDirInUseError extends Error {
  readonly owner: DataDirOwner;

  constructor(dataDir: string, owner: DataDirOwner) {
    super(inUseMessage(dataDir, owner));
    this.name = 'DataDirInUseError';
    this.owner = owner;
  }
}

function inUseMessage(dataDir: string, owner: DataDirOwner): string {
  if (owner.role === 'admin') {
    return `npm run admin (pid ${owner.pid}) is using the data folder ${dataDir}; try again when it has finished.`;
  }
  const where =
    owner.url === undefined ? 'is already starting' : `is already running at ${owner.url}`;
  return `Metrion ${where} (pid ${owner.pid}, data in ${dataDir}). Stop it first (Ctrl+C in its terminal), or set METRION_DATA_DIR to another folder.`;
}

export interface DataDirLock {
  /** Records where the server listens (for `npm run admin` and a second `npm start`). */
  announce(details: Required<Pick<DataDirOwner, 'url' | 'dynamoEndpoint'>>): Promise<void>;
  /** Removes the lock file if it is still this process's. */
  release(): Promise<void>;
}

/** Whether a process with this id exists (EPERM: it does, as another user's). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readLock(path: string): Promise<DataDirOwner | 'absent' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw error;
  }
  try {
    const owner = JSON.parse(text) as Partial<DataDirOwner>;
    return typeof owner.pid === 'number'
      ? { role: 'server', ...owner, pid: owner.pid }
      : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

/** The live process that holds `dataDir`, or undefined (no lock, or a stale one). */
export async function dataDirOwner(dataDir: string): Promise<DataDirOwner | undefined> {
  const path = join(dataDir, LOCK_FILE);
  let lock = await readLock(path);
  // Written in one call, so an unreadable lock is one being written right now: look again.
  if (lock === 'unreadable') lock = await sleep(100).then(() => readLock(path));
  return typeof lock === 'object' && isProcessAlive(lock.pid) ? lock : undefined;
}

/** Creates the lock file unless it exists; returns whether it did. */
async function createExclusively(path: string, owner: DataDirOwner): Promise<boolean> {
  try {
    await writeFile(path, JSON.stringify(owner), { flag: 'wx', mode: 0o600 });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function writeAtomically(path: string, owner: DataDirOwner): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(owner), { mode: 0o600 });
  await rename(temporary, path);
}

/**
 * Takes the data folder for this process.
 * @throws DataDirInUseError when a live process holds it.
 */
export async function lockDataDir(
  dataDir: string,
  role: DataDirOwner['role'],
): Promise<DataDirLock> {
  const path = join(dataDir, LOCK_FILE);
  const mine: DataDirOwner = { pid: process.pid, role };
  // Twice at most: the second try follows the removal of a stale lock.
  for (let attempt = 0; !(await createExclusively(path, mine)); attempt += 1) {
    const owner = await dataDirOwner(dataDir);
    if (owner !== undefined) throw new DataDirInUseError(dataDir, owner);
    if (attempt > 0) throw new Error(`The lock file ${path} keeps coming back; remove it.`);
    await rm(path, { force: true });
  }
  return {
    announce: (details) => writeAtomically(path, { ...mine, ...details }),
    async release() {
      const lock = await readLock(path);
      if (typeof lock === 'object' && lock.pid === process.pid) await rm(path, { force: true });
    },
  };
}
