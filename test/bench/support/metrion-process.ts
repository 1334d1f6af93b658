// Local Metrion in a process of its own (as `npm start` runs it: a data folder on disk, dynalite
// on its worker thread), for benches that compare it with another server process on equal terms.
// The child is metrion-process-child.ts; they talk over the IPC channel.
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { RecordsCheck } from './bench-stack.ts';

/** What the parent asks. */
export type ToMetrionChild =
  | { readonly kind: 'check'; readonly requestIds: readonly string[] }
  | { readonly kind: 'stop' };

/** What the child answers. */
export type FromMetrionChild =
  | { readonly kind: 'ready'; readonly openAiBaseUrl: string; readonly metrionKeys: string[] }
  | { readonly kind: 'checked'; readonly check: RecordsCheck };

/** Arguments of the child, in its `argv`. */
export interface MetrionChildArgs {
  /** Where the OpenAI provider is (the fake upstream). */
  readonly openAiOrigin: string;
  /** Free-plan accounts to create, one Metrion Key each. */
  readonly accounts: number;
}

export interface MetrionProcess {
  /** The base URL an OpenAI SDK uses (`…/api/proxy/openai/v1`). */
  readonly openAiBaseUrl: string;
  readonly metrionKeys: readonly string[];
  readonly process: ChildProcess;
  /** Waits for the usage records of `requestIds` and compares them one by one. */
  checkRecords(requestIds: readonly string[]): Promise<RecordsCheck>;
  stop(): Promise<void>;
}

const CHILD = join(import.meta.dirname, 'metrion-process-child.ts');

function nextMessage(child: ChildProcess): Promise<FromMetrionChild> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`the Metrion process exited (${code}) before answering`));
    child.once('exit', onExit);
    child.once('message', (message) => {
      child.off('exit', onExit);
      resolve(message as FromMetrionChild);
    });
  });
}

/** Forks the child on this Node and resolves once its stack listens and the accounts exist. */
export async function startMetrionProcess(args: MetrionChildArgs): Promise<MetrionProcess> {
  const child = fork(CHILD, [JSON.stringify(args)], {
    // Log lines (none per successful request) are dropped; errors still show.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = await nextMessage(child);
  if (ready.kind !== 'ready') throw new Error(`unexpected first message ${ready.kind}`);
  const send = (message: ToMetrionChild) => child.send(message);
  return {
    openAiBaseUrl: ready.openAiBaseUrl,
    metrionKeys: ready.metrionKeys,
    process: child,
    async checkRecords(requestIds) {
      const answer = nextMessage(child);
      send({ kind: 'check', requestIds });
      const checked = await answer;
      if (checked.kind !== 'checked') throw new Error(`unexpected answer ${checked.kind}`);
      return checked.check;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      send({ kind: 'stop' });
      await exited;
    },
  };
}
