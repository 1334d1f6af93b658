// Where `npm start` processes of this checkout say which data folder they serve, so that
// `npm run admin` in another terminal (without the first terminal's METRION_DATA_DIR) finds it.
// One small file per process in the user's temporary folder; a file whose process is gone is
// ignored and removed.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isProcessAlive } from './data-dir-lock.ts';

/** A running `npm start`, as it registered itself. */
export interface RunningInstance {
  readonly pid: number;
  readonly dataDir: string;
  readonly url: string;
  /** The repository root it runs from: each checkout finds only its own. */
  readonly checkout: string;
}

/** This checkout's root (the folder of package.json). */
export const CHECKOUT_ROOT = resolve(import.meta.dirname, '../..');

/** Where the processes of this user register (tests use a folder of their own). */
export const RUNNING_INSTANCES_DIR = join(
  tmpdir(),
  `metrion-${process.getuid?.() ?? 'user'}`,
  'running',
);

/** Registers this process in `dir`; the returned function unregisters it. */
export async function registerRunningInstance(
  instance: Omit<RunningInstance, 'pid' | 'checkout'>,
  dir: string = RUNNING_INSTANCES_DIR,
): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${process.pid}.json`);
  const entry: RunningInstance = { ...instance, pid: process.pid, checkout: CHECKOUT_ROOT };
  await writeFile(file, JSON.stringify(entry), { mode: 0o600 });
  return () => rm(file, { force: true });
}

/** The live `npm start` processes of this checkout registered in `dir`. */
export async function runningInstances(
  dir: string = RUNNING_INSTANCES_DIR,
): Promise<RunningInstance[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const found: RunningInstance[] = [];
  for (const name of names.filter((entry) => entry.endsWith('.json'))) {
    const file = join(dir, name);
    const entry = await readFile(file, 'utf8')
      .then((text) => JSON.parse(text) as RunningInstance)
      .catch(() => undefined);
    if (entry === undefined) continue;
    if (!isProcessAlive(entry.pid)) await rm(file, { force: true });
    else if (entry.checkout === CHECKOUT_ROOT) found.push(entry);
  }
  return found;
}
