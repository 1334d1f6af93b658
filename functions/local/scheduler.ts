import type { Logger } from '#core/ports/logger.ts';

/** A job the local scheduler runs, as EventBridge would invoke its handler. */
export interface ScheduledJob {
  readonly name: string;
  readonly intervalMs: number;
  /** Also run once right after start. @default false */
  readonly runAtStart?: boolean;
  readonly run: (event: { source: 'aws.events'; time: string }) => Promise<unknown>;
}

/**
 * EventBridge stand-in: a timer per job that invokes the same handler with a scheduled event.
 * Runs of one job never overlap; failures are logged, except those of runs that were still going
 * when the scheduler stopped. Returns a stop function.
 */
export function startScheduler(jobs: readonly ScheduledJob[], logger: Logger): () => void {
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;
  for (const job of jobs) {
    let running = false;
    const tick = async () => {
      if (running) return;
      running = true;
      try {
        await job.run({ source: 'aws.events', time: new Date().toISOString() });
      } catch (error) {
        // A run cut short by shutdown (its store closed under it) is not a failure to report.
        if (stopped) return;
        logger.warn('scheduled job failed', {
          job: job.name,
          error: error instanceof Error ? error.message : 'unknown',
        });
      } finally {
        running = false;
      }
    };
    const timer = setInterval(tick, job.intervalMs);
    timer.unref();
    timers.push(timer);
    if (job.runAtStart) void tick();
  }
  return () => {
    stopped = true;
    for (const timer of timers) clearInterval(timer);
  };
}
