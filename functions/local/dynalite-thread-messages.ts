// What the main thread and the dynalite worker thread (dynalite-worker.ts) tell each other.
// Types only: the worker file imports nothing at run time but node builtins and dynalite.
import type { MessagePort } from 'node:worker_threads';

/** dynalite(options): the subset local mode sets. */
export interface DynaliteServerOptions {
  /** LevelDB folder. @default - in memory */
  readonly path?: string | undefined;
  readonly createTableMs?: number;
  readonly deleteTableMs?: number;
  readonly updateTableMs?: number;
}

/** `workerData` of the dynalite worker. */
export interface DynaliteWorkerData {
  readonly serverOptions: DynaliteServerOptions;
  /** Interface to listen on (a free port on it). */
  readonly host: string;
  /** Where the DynamoDB clients of the main thread send their requests (dynalite-hand-off.ts). */
  readonly handOffPort: MessagePort;
}

export type ToDynaliteWorker = { readonly kind: 'close' };

export type FromDynaliteWorker =
  | { readonly kind: 'listening'; readonly port: number }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'closed'; readonly error?: string };
