// Where `npm run admin` works when run from a second terminal: the folder of the running
// `npm start` (even one started with METRION_DATA_DIR), its own dynalite on a folder nothing
// runs on, or one line saying which folder it would use.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AdminDataDirError, findAdminDataSource, withAdminData } from '#local/admin-data.ts';
import { type LocalMetrion, startLocalMetrion } from '#local/local-metrion.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `metrion-admin-${name}-`));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** `npm start` on `dataDir`, registered in `instancesDir` (a registry of the test's own). */
async function running(dataDir: string, instancesDir: string): Promise<LocalMetrion> {
  const metrion = await startLocalMetrion({ dataDir, runningInstancesDir: instancesDir });
  cleanups.push(() => metrion.close());
  return metrion;
}

describe('npm run admin in a second terminal', () => {
  it('joins the npm start that runs on its data folder', async () => {
    const [dataDir, instances] = [await tempDir('data'), await tempDir('instances')];
    const metrion = await running(dataDir, instances);

    const source = await findAdminDataSource({ dataDir, dataDirFromEnv: true }, instances);

    expect(source).toEqual({
      dataDir,
      running: { url: metrion.url, dynamoEndpoint: metrion.dynamoEndpoint },
    });
  });

  it('finds the folder npm start serves when this terminal lacks its METRION_DATA_DIR', async () => {
    // Arrange: npm start on another folder; the admin's default folder holds nothing
    const [elsewhere, defaultDir, instances] = [
      await tempDir('elsewhere'),
      await tempDir('default'),
      await tempDir('instances'),
    ];
    const metrion = await running(elsewhere, instances);
    const created = await metrion.data.accountService.createAccount({ email: 'ada@example.com' });

    // Act
    const source = await findAdminDataSource(
      { dataDir: defaultDir, dataDirFromEnv: false },
      instances,
    );
    const found = await withAdminData(source, (data) =>
      data.accountService.findAccountIdByEmail('ada@example.com'),
    );

    // Assert
    expect(source.dataDir).toBe(elsewhere);
    expect(source.note).toBe(
      `Using the data folder of the Metrion running at ${metrion.url}: ${elsewhere}`,
    );
    expect(found).toBe(created.account.accountId);
  });

  it('refuses in one line naming the folder when nothing runs and it holds no data', async () => {
    const [dataDir, instances] = [await tempDir('empty'), await tempDir('instances')];

    const source = findAdminDataSource({ dataDir, dataDirFromEnv: false }, instances);

    await expect(source).rejects.toBeInstanceOf(AdminDataDirError);
    await expect(source).rejects.toThrow(
      `No Metrion is running on ${dataDir} (the default data folder) and it holds no data yet. Start it with npm start in another terminal (with the same METRION_DATA_DIR, if you set one there).`,
    );
  });

  it('opens a folder with data itself when nothing runs, and holds it meanwhile', async () => {
    // Arrange: data left by an npm start that has stopped
    const [dataDir, instances] = [await tempDir('stopped'), await tempDir('instances')];
    const stopped = await startLocalMetrion({ dataDir, runningInstancesDir: instances });
    const created = await stopped.data.accountService.createAccount({ email: 'ada@example.com' });
    await stopped.close();

    // Act: npm start tries the folder while the admin works on it
    const source = await findAdminDataSource({ dataDir, dataDirFromEnv: true }, instances);
    const [found, startMeanwhile] = await withAdminData(source, async (data) => [
      await data.accountService.findAccountIdByEmail('ada@example.com'),
      await startLocalMetrion({ dataDir }).catch((error: Error) => error.message),
    ]);

    // Assert
    expect(source).toEqual({ dataDir });
    expect(found).toBe(created.account.accountId);
    expect(startMeanwhile).toBe(
      `npm run admin (pid ${process.pid}) is using the data folder ${dataDir}; try again when it has finished.`,
    );
  });
});
