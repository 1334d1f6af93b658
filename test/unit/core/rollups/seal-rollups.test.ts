import { describe, expect, it } from 'vitest';
import type { Granularity } from '#core/rollups/buckets.ts';
import { bucketStartMs, HOUR_MS } from '#core/rollups/buckets.ts';
import type { Rollup } from '#core/rollups/rollup.ts';
import { sealRollups } from '#core/rollups/seal-rollups.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';
import { InMemoryRollupStore } from '../../../fakes/in-memory-rollup-store.ts';
import { InMemoryUsageStore } from '../../../fakes/in-memory-usage-store.ts';
import { addLive } from '../../../fixtures/live-rollups.ts';
import { usageRecord } from '../../../fixtures/usage-record.ts';
import { RecordingLogger } from '../proxy/proxy-harness.ts';

const AT_MS = Date.parse('2026-11-01T10:15:00.000Z');
const HOUR = bucketStartMs(AT_MS, 'hour');

/** The in-memory store, except that rewriting the hourly bucket of `failing` throws. */
class FailingRollupStore extends InMemoryRollupStore {
  failing = new Set<string>();
  override async replaceBucket(
    accountId: string,
    granularity: Granularity,
    bucketStart: number,
    rollups: readonly Rollup[],
  ): Promise<void> {
    if (granularity === 'hour' && this.failing.has(accountId)) throw new Error('throttled');
    return super.replaceBucket(accountId, granularity, bucketStart, rollups);
  }
}

describe('sealRollups isolates accounts and hours', () => {
  it('logs a failing item with its key, seals the others, and keeps its dirty marker', async () => {
    // Arrange: two accounts dirty in the same hour; rewriting one of them fails
    const clock = new FakeClock({ startMs: AT_MS });
    const usage = new InMemoryUsageStore({ clock });
    const rollups = new FailingRollupStore({ usage, clock });
    const keep = { expiresAtEpochSeconds: AT_MS / 1000 + 90 * 86_400 };
    for (const accountId of ['bad', 'good']) {
      const record = usageRecord({
        accountId,
        requestId: `req-${accountId}`,
        at: new Date(AT_MS).toISOString(),
      });
      await usage.append(record, keep);
      await addLive(rollups, record, keep);
    }
    rollups.failing.add('bad');
    clock.set(AT_MS + 2 * HOUR_MS);
    const logger = new RecordingLogger();

    // Act
    const report = await sealRollups({ rollups, clock, logger });

    // Assert: the run went on, the failure is logged with its key, the marker survives
    expect(report).toEqual({ hoursSealed: 1, daysRebuilt: 1 });
    const [good] = await rollups.query('good', 'hour', HOUR, HOUR + HOUR_MS);
    expect(good).toMatchObject({ requests: 1, sealed: true });
    expect(logger.lines).toContainEqual({
      level: 'error',
      message: 'rollup seal failed; the hour stays dirty for the next run',
      fields: expect.objectContaining({
        accountId: 'bad',
        hourStart: new Date(HOUR).toISOString(),
        error: 'Error',
      }),
    });
    expect(await rollups.listDirty(HOUR)).toEqual(['bad']);

    // And the next run, once the store recovers, seals it
    rollups.failing.clear();
    expect(await sealRollups({ rollups, clock, logger })).toEqual({
      hoursSealed: 1,
      daysRebuilt: 1,
    });
    expect(await rollups.listDirty(HOUR)).toEqual([]);
  });
});
