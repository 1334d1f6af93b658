import { describe, expect, it } from 'vitest';
import type { Logger } from '#core/ports/logger.ts';
import { startScheduler } from '#local/scheduler.ts';

function recordingLogger() {
  const warnings: string[] = [];
  const logger: Logger = {
    info: () => undefined,
    warn: (message, fields) => warnings.push(`${message} ${JSON.stringify(fields)}`),
    error: () => undefined,
  };
  return { logger, warnings };
}

describe('startScheduler', () => {
  it('logs a failed run in one warning line', async () => {
    const { logger, warnings } = recordingLogger();
    const { promise: failed, reject } = Promise.withResolvers<never>();
    const stop = startScheduler(
      [{ name: 'fx-rates', intervalMs: 60_000, runAtStart: true, run: () => failed }],
      logger,
    );

    reject(new Error('offline'));
    await new Promise((resolve) => setImmediate(resolve));
    stop();

    expect(warnings).toEqual(['scheduled job failed {"job":"fx-rates","error":"offline"}']);
  });

  it('does not report a run that fails because the scheduler stopped under it', async () => {
    // Arrange: a run in flight when Ctrl+C stops everything
    const { logger, warnings } = recordingLogger();
    const { promise: running, reject } = Promise.withResolvers<never>();
    const stop = startScheduler(
      [{ name: 'seal-rollups-sweep', intervalMs: 60_000, runAtStart: true, run: () => running }],
      logger,
    );

    // Act: the store closes, the run fails
    stop();
    reject(new Error('data store unavailable'));
    await new Promise((resolve) => setImmediate(resolve));

    // Assert
    expect(warnings).toEqual([]);
  });
});
