import { type ChildProcess, spawn } from 'node:child_process';

export interface ShellResult {
  readonly code: number | null;
  /** stdout and stderr, interleaved as they arrived. */
  readonly output: string;
}

/** Runs `script` with bash (`-e -o pipefail`), as a user pastes it into a terminal. */
export function runShell(
  script: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<ShellResult> {
  const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', script], { cwd, env });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** A long-running command (`npm start`) in a process group of its own. */
export class RunningCommand {
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  #running = true;
  #output = '';

  constructor(command: string, cwd: string, env: NodeJS.ProcessEnv) {
    this.#child = spawn('bash', ['-c', `exec ${command}`], { cwd, env, detached: true });
    const collect = (chunk: Buffer) => {
      this.#output += chunk.toString();
    };
    this.#child.stdout?.on('data', collect);
    this.#child.stderr?.on('data', collect);
    this.#exited = new Promise((resolve) =>
      this.#child.once('exit', () => {
        this.#running = false;
        resolve();
      }),
    );
  }

  /** Everything it printed so far (stdout and stderr). */
  get output(): string {
    return this.#output;
  }

  /** Resolves with the output once it matches `pattern`; rejects if it exits or times out. */
  async waitFor(pattern: RegExp, timeoutMs: number): Promise<string> {
    for (const deadline = Date.now() + timeoutMs; !pattern.test(this.#output); ) {
      if (!this.#running || Date.now() > deadline) {
        const why = this.#running ? 'timed out' : 'it exited';
        throw new Error(`No ${pattern} in the output (${why}):\n${this.#output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return this.#output;
  }

  /** Ctrl+C to the whole group (npm, its shell, node), as in a terminal; killed after 20 s. */
  async stop(): Promise<void> {
    const pid = this.#child.pid;
    if (pid === undefined || !this.#running) return;
    process.kill(-pid, 'SIGINT');
    const timer = setTimeout(() => this.#running && process.kill(-pid, 'SIGKILL'), 20_000);
    try {
      await this.#exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
