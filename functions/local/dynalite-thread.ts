// dynalite (the local DynamoDB stand-in) on its own thread. In one event loop with the proxy it
// made local mode collapse under concurrency: every proxied request costs ~9 DynamoDB calls, and
// dynalite's share of their CPU (HTTP parsing, validation, expression parsing, LevelDB) queued
// behind and in front of the proxy's own work. A worker thread gives it another core; the
// proxy still reaches it over HTTP on loopback, like DynamoDB, with the same SDK client.
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import type {
  DynaliteServerOptions,
  DynaliteWorkerData,
  FromDynaliteWorker,
} from './dynalite-thread-messages.ts';

const HOST = '127.0.0.1';

export interface StartDynaliteOptions {
  /** LevelDB folder; data survives restarts. @default - in memory, gone on close */
  readonly dataDir?: string;
  /**
   * `main` runs dynalite on the caller's event loop (as before the worker existed), kept so the
   * bench can compare both. @default 'worker'
   */
  readonly thread?: 'worker' | 'main';
}

export interface RunningDynalite {
  /** `http://127.0.0.1:<port>`, for the DynamoDB client's `endpoint`. */
  readonly endpoint: string;
  /** Stops the server and closes the store (flushes the data dir). */
  close(): Promise<void>;
}

/** Starts dynalite on 127.0.0.1 and a free port. Tables become ACTIVE at once. */
export async function startDynalite(options: StartDynaliteOptions = {}): Promise<RunningDynalite> {
  if (options.dataDir !== undefined) await mkdir(options.dataDir, { recursive: true });
  const serverOptions: DynaliteServerOptions = {
    ...(options.dataDir === undefined ? {} : { path: options.dataDir }),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  };
  return options.thread === 'main'
    ? startOnThisThread(serverOptions)
    : startOnWorker(serverOptions);
}

async function startOnWorker(serverOptions: DynaliteServerOptions): Promise<RunningDynalite> {
  const workerData: DynaliteWorkerData = { serverOptions, host: HOST };
  const worker = new Worker(new URL('./dynalite-worker.ts', import.meta.url), { workerData });
  const port = await new Promise<number>((resolve, reject) => {
    const onExit = (code: number) =>
      reject(new Error(`The dynalite worker exited with code ${code} before listening`));
    worker.once('error', reject);
    worker.once('exit', onExit);
    worker.once('message', (message: FromDynaliteWorker) => {
      worker.off('error', reject);
      worker.off('exit', onExit);
      if (message.kind === 'listening') resolve(message.port);
      else reject(new Error(`dynalite did not start: ${describe(message)}`));
    });
  });
  let closing = false;
  // Every DynamoDB call would fail from here on (connection refused): say why, once.
  worker.on('error', (error) => {
    // While closing, a request still in flight may meet the closed store: nothing is lost then.
    if (closing) return;
    process.stderr.write(`[metrion local] the dynalite worker failed: ${error.stack ?? error}\n`);
  });
  worker.on('exit', (code) => {
    if (!closing) process.stderr.write(`[metrion local] the dynalite worker exited (${code})\n`);
  });
  return {
    endpoint: `http://${HOST}:${port}`,
    close: async () => {
      closing = true;
      const closed = new Promise<FromDynaliteWorker>((resolve) => worker.once('message', resolve));
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage({ kind: 'close' });
      const reply = await Promise.race([closed, exited.then(() => undefined)]);
      await exited;
      if (reply?.kind === 'closed' && reply.error !== undefined) throw new Error(reply.error);
    },
  };
}

function describe(message: FromDynaliteWorker): string {
  return message.kind === 'failed' ? message.message : `unexpected ${message.kind} message`;
}

// dynalite is CommonJS without type declarations.
const dynalite = createRequire(import.meta.url)('dynalite') as (
  options: DynaliteServerOptions,
) => Server;

async function startOnThisThread(serverOptions: DynaliteServerOptions): Promise<RunningDynalite> {
  const server = dynalite(serverOptions);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${HOST}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // As on the worker (dynalite-worker.ts): no socket may hold the server open.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
