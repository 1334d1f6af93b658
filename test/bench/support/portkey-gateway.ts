// The Portkey AI gateway (@portkey-ai/gateway, MIT) as a peer to measure local mode against. It
// is installed on first use into a scratch folder outside the repository, together with a Node it
// runs on (it fails on Node 24 with "TypeError: immutable"), and started as a child process.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

export const PORTKEY_VERSION = '1.15.2';
/** The newest Node the gateway runs on (checked: 22.23.3 and 20.x work, 24 does not). */
const PORTKEY_NODE_VERSION = '22.23.3';
const INSTALL_TIMEOUT_MS = 5 * 60_000;
const START_TIMEOUT_MS = 30_000;

/** Why the peer could not be installed when the reason is the network, not the bench. */
export class RegistryUnreachableError extends Error {}

/**
 * The scratch folder: `BENCH_PEERS_DIR`, else the user's cache folder (`XDG_CACHE_HOME` or
 * `~/.cache`), so the install survives between runs and never lands in the repository.
 */
export function peersDir(): string {
  const base = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return process.env.BENCH_PEERS_DIR ?? join(base, 'metrion-bench-peers');
}

interface Installed {
  readonly nodeBin: string;
  readonly entry: string;
}

function installedAt(dir: string): Installed {
  return {
    nodeBin: join(dir, 'node_modules', 'node', 'bin', 'node'),
    entry: join(dir, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js'),
  };
}

const NETWORK_ERRORS =
  /E(NOTFOUND|AI_AGAIN|CONNREFUSED|CONNRESET|TIMEDOUT|NETUNREACH)|ETIMEDOUT|network/i;

/**
 * Installs the gateway and its Node into `<peersDir>/portkey-<version>` unless already there.
 * @throws RegistryUnreachableError when npm cannot reach the registry
 */
export async function installPortkey(log: (line: string) => void): Promise<Installed> {
  const dir = join(peersDir(), `portkey-${PORTKEY_VERSION}-node-${PORTKEY_NODE_VERSION}`);
  const installed = installedAt(dir);
  if (existsSync(installed.nodeBin) && existsSync(installed.entry)) return installed;
  log(
    `Installing @portkey-ai/gateway@${PORTKEY_VERSION} and node@${PORTKEY_NODE_VERSION} into ${dir}`,
  );
  await mkdir(dir, { recursive: true });
  // npm 11 runs a dependency's install script only when allowed; `node` fetches its binary so.
  await writeFile(
    join(dir, 'package.json'),
    `${JSON.stringify({ private: true, allowScripts: { node: true } }, null, 2)}\n`,
  );
  const packages = [`@portkey-ai/gateway@${PORTKEY_VERSION}`, `node@${PORTKEY_NODE_VERSION}`];
  try {
    await promisify(execFile)(
      'npm',
      ['install', '--prefix', dir, '--no-audit', '--no-fund', '--loglevel=error', ...packages],
      { timeout: INSTALL_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    const output = String((error as { stderr?: unknown }).stderr ?? '') + String(error);
    if (NETWORK_ERRORS.test(output)) throw new RegistryUnreachableError(firstLine(output));
    throw error;
  }
  if (!existsSync(installed.nodeBin) || !existsSync(installed.entry)) {
    throw new Error(
      `npm install finished but ${installed.nodeBin} or ${installed.entry} is missing`,
    );
  }
  return installed;
}

function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim() !== '') ?? text;
}

/** A free TCP port on 127.0.0.1 (the gateway takes a port, not 0). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface RunningPortkey {
  /** `http://127.0.0.1:<port>`: the gateway's OpenAI-compatible API is under `/v1`. */
  readonly origin: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts the gateway headless (no UI, no log stream) and resolves once `ready` says it answers.
 * Its output is discarded (a start-up spinner; nothing per request).
 */
export async function startPortkey(
  installed: Installed,
  ready: (origin: string) => Promise<boolean>,
): Promise<RunningPortkey> {
  const port = await freePort();
  const child = spawn(installed.nodeBin, [installed.entry, `--port=${port}`, '--headless'], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
    await exited;
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await ready(origin).catch(() => false))) {
    if (child.exitCode !== null) throw new Error(`the Portkey gateway exited (${child.exitCode})`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the Portkey gateway did not answer within ${START_TIMEOUT_MS} ms`);
    }
    await sleep(200);
  }
  return { origin, process: child, stop };
}
