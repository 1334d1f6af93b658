export interface PollOptions {
  /** Pause between reads. */
  readonly intervalMs: number;
  /** Give up once this much time has passed since the first read. */
  readonly timeoutMs: number;
  /** Stops polling (the page went away). */
  readonly signal?: AbortSignal;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Date.now */
  readonly nowMs?: () => number;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Reads until `done(value)` holds, every `intervalMs` for at most `timeoutMs`. A failed read
 * counts as "not yet". Resolves with the value that was done, or undefined on timeout or abort.
 * `onValue` sees every value read, so the page can show progress.
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  options: PollOptions & { readonly onValue?: (value: T) => void },
): Promise<T | undefined> {
  const sleep = options.sleep ?? wait;
  const nowMs = options.nowMs ?? Date.now;
  const deadline = nowMs() + options.timeoutMs;
  while (!options.signal?.aborted) {
    const value = await read().then(
      (read) => ({ read }),
      () => undefined,
    );
    if (options.signal?.aborted) return undefined;
    if (value !== undefined) {
      options.onValue?.(value.read);
      if (done(value.read)) return value.read;
    }
    if (nowMs() >= deadline) return undefined;
    await sleep(options.intervalMs);
  }
  return undefined;
}
