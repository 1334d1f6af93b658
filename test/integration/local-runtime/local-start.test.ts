// How `npm start` begins: each local server on its own port, one line and exit 1 when a port is
// taken (and nothing left running), and one process per data folder.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '#local/data-dir-lock.ts';
import { type LocalMetrionOptions, startLocalMetrion } from '#local/local-metrion.ts';
import { LOCAL_PORTS, type LocalServer } from '#local/local-ports.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'metrion-start-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A port something else already listens on. */
async function takenPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as { port: number }).port;
}

const OPTION_FOR: Record<LocalServer, (port: number) => LocalMetrionOptions> = {
  api: (port) => ({ port }),
  cognito: (port) => ({ cognitoPort: port }),
  ses: (port) => ({ sesPort: port }),
  stripe: (port) => ({ billing: { kind: 'stand-in', port } }),
};

describe('a local server whose port is taken', () => {
  it.each(Object.keys(OPTION_FOR) as LocalServer[])(
    'stops the start with its port and variable (%s), releasing the data folder',
    async (server) => {
      // Arrange
      const [port, dataDir] = [await takenPort(), await tempDir()];

      // Act
      const started = startLocalMetrion({ dataDir, ...OPTION_FOR[server](port) });

      // Assert
      await expect(started).rejects.toMatchObject({
        name: 'PortUnavailableError',
        server,
        port,
        message: expect.stringContaining(`set ${LOCAL_PORTS[server].variable} to a free port`),
      });
      expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
    },
  );

  it('leaves nothing running: the same data folder starts at once on free ports', async () => {
    const [port, dataDir] = [await takenPort(), await tempDir()];
    await expect(startLocalMetrion({ dataDir, sesPort: port })).rejects.toThrow(`Port ${port}`);

    const metrion = await startLocalMetrion({ dataDir });
    await metrion.close();

    expect(metrion.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('makes `npm start` print one line and exit 1, without a stack', async () => {
    // Arrange
    const [port, dataDir] = [await takenPort(), await tempDir()];
    const env = {
      PATH: process.env.PATH,
      METRION_DATA_DIR: dataDir,
      PORT: '0',
      METRION_COGNITO_PORT: '0',
      METRION_STRIPE_PORT: '0',
      METRION_SES_PORT: String(port),
      METRION_STATIC_DIR: join(dataDir, 'no-dashboard'),
      FX_RATES_URL: 'http://127.0.0.1:9/unused.xml',
    };

    // Act
    const child = spawn(process.execPath, ['bin/local.ts'], { env });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exitCode = await new Promise((resolve) => child.on('exit', resolve));

    // Assert
    expect(exitCode).toBe(1);
    expect(stderr).toBe(
      `Port ${port} for aws-ses-v2-local (alert emails) is in use. Stop what holds it (lsof -i :${port}), or set METRION_SES_PORT to a free port (METRION_SES_PORT=0 picks one).\n`,
    );
  });
});

describe('one local Metrion per data folder', () => {
  it('refuses a second start on the folder, saying where the first runs', async () => {
    const dataDir = await tempDir();
    const first = await startLocalMetrion({ dataDir });
    cleanups.push(() => first.close());

    const second = startLocalMetrion({ dataDir });

    await expect(second).rejects.toMatchObject({
      name: 'DataDirInUseError',
      message: `Metrion is already running at ${first.url} (pid ${process.pid}, data in ${dataDir}). Stop it first (Ctrl+C in its terminal), or set METRION_DATA_DIR to another folder.`,
    });
  });

  it('takes over the lock of a process that is gone, and removes it on close', async () => {
    // Arrange: the lock of a process that has exited
    const dataDir = await tempDir();
    const gone = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid;
    await writeFile(join(dataDir, LOCK_FILE), JSON.stringify({ pid: gone, role: 'server' }));

    // Act
    const metrion = await startLocalMetrion({ dataDir });
    const lockWhileRunning = existsSync(join(dataDir, LOCK_FILE));
    await metrion.close();

    // Assert
    expect(lockWhileRunning).toBe(true);
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
  });
});
