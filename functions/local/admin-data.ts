// Where `npm run admin` finds its data: the running `npm start` (joined through its dynalite), or
// the data folder opened by the CLI itself when nothing runs on it. Run from a second terminal
// without the first one's METRION_DATA_DIR, it finds the folder the running instance serves.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { dataDirOwner, lockDataDir } from './data-dir-lock.ts';
import { type LocalData, openLocalData } from './local-data.ts';
import { RUNNING_INSTANCES_DIR, runningInstances } from './running-instances.ts';
import { startDynalite } from './stand-ins.ts';

/** The data folder to use and, when `npm start` runs on it, its dynalite. */
export interface AdminDataSource {
  readonly dataDir: string;
  /** Set when joining a running `npm start`. */
  readonly running?: { readonly url: string; readonly dynamoEndpoint: string };
  /** A line worth telling the user (the folder differs from the one they would expect). */
  readonly note?: string;
}

/** No data folder to work on: the one line `npm run admin` prints. */
export class AdminDataDirError extends Error {
  override readonly name = 'AdminDataDirError';
}

/**
 * The configured folder if `npm start` runs on it; else, unless METRION_DATA_DIR was set, the
 * one folder a running `npm start` of this checkout serves; else the configured folder if it
 * holds data.
 * @throws AdminDataDirError when none of these applies
 */
export async function findAdminDataSource(
  config: { readonly dataDir: string; readonly dataDirFromEnv: boolean },
  runningInstancesDir: string = RUNNING_INSTANCES_DIR,
): Promise<AdminDataSource> {
  const { dataDir } = config;
  const joined = await joinRunning(dataDir);
  if (joined !== undefined) return joined;
  if (!config.dataDirFromEnv) {
    const others = (await runningInstances(runningInstancesDir)).filter(
      (other) => other.dataDir !== dataDir,
    );
    if (others.length > 1) {
      const list = others.map((other) => `${other.dataDir} (${other.url})`).join(', ');
      throw new AdminDataDirError(
        `Metrion runs on several data folders: ${list}. Set METRION_DATA_DIR to the one to use.`,
      );
    }
    const other = others[0] && (await joinRunning(others[0].dataDir));
    if (other) {
      const note = `Using the data folder of the Metrion running at ${other.running?.url}: ${other.dataDir}`;
      return { ...other, note };
    }
  }
  if (existsSync(join(dataDir, 'dynamodb'))) return { dataDir };
  const named = config.dataDirFromEnv ? 'METRION_DATA_DIR' : 'the default data folder';
  throw new AdminDataDirError(
    `No Metrion is running on ${dataDir} (${named}) and it holds no data yet. Start it with npm start in another terminal (with the same METRION_DATA_DIR, if you set one there).`,
  );
}

async function joinRunning(dataDir: string): Promise<AdminDataSource | undefined> {
  const owner = await dataDirOwner(dataDir);
  if (owner?.role !== 'server') return undefined;
  if (owner.url === undefined || owner.dynamoEndpoint === undefined) {
    throw new AdminDataDirError(
      `Metrion is starting on ${dataDir} (pid ${owner.pid}); try again in a moment.`,
    );
  }
  return { dataDir, running: { url: owner.url, dynamoEndpoint: owner.dynamoEndpoint } };
}

/**
 * Runs `work` on the source's data: through the running server's dynalite, or on a dynalite of
 * its own over the folder (holding the folder's lock meanwhile, so `npm start` waits its turn).
 */
export async function withAdminData<T>(
  source: AdminDataSource,
  work: (data: LocalData) => Promise<T>,
): Promise<T> {
  const { dataDir, running } = source;
  if (running)
    return work(await openLocalData({ dynamoEndpoint: running.dynamoEndpoint, dataDir }));
  const lock = await lockDataDir(dataDir, 'admin');
  try {
    const dynalite = await startDynalite({ dataDir: join(dataDir, 'dynamodb') });
    try {
      return await work(await openLocalData({ dynamoEndpoint: dynalite.endpoint, dataDir }));
    } finally {
      await dynalite.close();
    }
  } finally {
    await lock.release();
  }
}
