// dynalite (the local DynamoDB stand-in) on its own thread. In one event loop with the proxy it
// made local mode collapse under concurrency: every proxied request costs several DynamoDB calls,
// and dynalite's share of their CPU (request validation, expression parsing, LevelDB) queued
// behind and in front of the proxy's own work. A worker thread gives it another core. The same
// SDK clients reach it through a MessagePort (dynalite-hand-off.ts); its HTTP endpoint stays for
// clients in other processes (`npm run admin`) and for tests that bring their own client.
import { mkdir } from 'node:fs/promises';
import { MessageChannel, Worker } from 'node:worker_threads';
import { DynaliteHandOff } from './dynalite-hand-off.ts';
import type {
  DynaliteServerOptions,
  DynaliteWorkerData,
  FromDynaliteWorker,
} from './dynalite-thread-messages.ts';

const HOST = '127.0.0.1';

export interface StartDynaliteOptions {
  /** LevelDB folder; data survives restarts. @default - in memory, gone on close */
  readonly dataDir?: string;
}

export interface RunningDynalite {
  /** `http://127.0.0.1:<port>`, for the DynamoDB client's `endpoint`. */
  readonly endpoint: string;
  /**
   * The `requestHandler` for DynamoDB clients in this process: each call goes to the worker over
   * a MessagePort instead of the endpoint's HTTP (the client still needs `endpoint` to sign).
   */
  readonly handOff: DynaliteHandOff;
  /** Stops the server and closes the store (flushes the data dir). */
  close(): Promise<void>;
}

/** Starts dynalite on a worker thread, on 127.0.0.1 and a free port. Tables become ACTIVE at once. */
export async function startDynalite(options: StartDynaliteOptions = {}): Promise<RunningDynalite> {
  if (options.dataDir !== undefined) await mkdir(options.dataDir, { recursive: true });
  const serverOptions: DynaliteServerOptions = {
    path: options.dataDir,
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  };
  const channel = new MessageChannel();
  const workerData: DynaliteWorkerData = { serverOptions, host: HOST, handOffPort: channel.port2 };
  const worker = new Worker(new URL('./dynalite-worker.ts', import.meta.url), {
    workerData,
    transferList: [channel.port2],
  });
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
  }).catch((error: unknown) => {
    channel.port1.close();
    throw error;
  });
  const handOff = new DynaliteHandOff(channel.port1);
  let closing = false;
  // Every DynamoDB call would fail from here on: say why, once.
  worker.on('error', (error) => {
    // While closing, a request still in flight may meet the closed store: nothing is lost then.
    if (closing) return;
    process.stderr.write(`[metrion local] the dynalite worker failed: ${error.stack ?? error}\n`);
  });
  worker.on('exit', (code) => {
    handOff.close(new Error(`the dynalite worker exited (${code})`));
    if (!closing) process.stderr.write(`[metrion local] the dynalite worker exited (${code})\n`);
  });
  return {
    endpoint: `http://${HOST}:${port}`,
    handOff,
    close: async () => {
      closing = true;
      const closed = new Promise<FromDynaliteWorker>((resolve) => worker.once('message', resolve));
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage({ kind: 'close' });
      const reply = await Promise.race([closed, exited.then(() => undefined)]);
      await exited;
      channel.port1.close();
      if (reply?.kind === 'closed' && reply.error !== undefined) throw new Error(reply.error);
    },
  };
}

function describe(message: FromDynaliteWorker): string {
  return message.kind === 'failed' ? message.message : `unexpected ${message.kind} message`;
}
