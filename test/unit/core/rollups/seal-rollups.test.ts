import { describe, expect, it } from 'vitest';
import type { Granularity } from '#core/rollups/buckets.ts';
import { bucketStartMs, DAY_MS, HOUR_MS } from '#core/rollups/buckets.ts';
import { type MonthPackUpdate, unpackDays } from '#core/rollups/month-packs.ts';
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

/** The in-memory store, except that rewriting the hourly bucket (or the packs) of `failing` throws. */
class FailingRollupStore extends InMemoryRollupStore {
  failing = new Set<string>();
  failingPacks = false;

  override async writeMonthPacks(update: MonthPackUpdate<Rollup>): Promise<void> {
    if (this.failingPacks) throw new Error('throttled');
    return super.writeMonthPacks(update);
  }

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
    // The day is not over: rebuilt, not packed yet.
    expect(report).toEqual({ hoursSealed: 1, daysRebuilt: 1, daysPacked: 0 });
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
      daysPacked: 0,
    });
    expect(await rollups.listDirty(HOUR)).toEqual([]);
  });
});

describe('sealRollups packs closed days into their month', () => {
  async function dirtyDay() {
    const clock = new FakeClock({ startMs: AT_MS });
    const usage = new InMemoryUsageStore({ clock });
    const rollups = new FailingRollupStore({ usage, clock });
    const keep = { expiresAtEpochSeconds: AT_MS / 1000 + 90 * 86_400 };
    const record = usageRecord({ at: new Date(AT_MS).toISOString() });
    await usage.append(record, keep);
    await addLive(rollups, record, keep);
    const day = bucketStartMs(AT_MS, 'day');
    const packedDays = async () =>
      unpackDays(
        await rollups.queryMonthPacks('acct', day, day + DAY_MS),
        day,
        day + DAY_MS,
        clock.nowMs() / 1000,
      );
    return { clock, rollups, day, packedDays };
  }

  it('packs a day once it is over, also when its last hour had no traffic', async () => {
    // Arrange: traffic at 10:15 only
    const { clock, rollups, day, packedDays } = await dirtyDay();
    const seal = () => sealRollups({ rollups, clock, logger: new RecordingLogger() });

    // Act + Assert: sealed at noon, the day is not over: not packed, its last hour marked
    clock.set(AT_MS + 2 * HOUR_MS);
    expect(await seal()).toEqual({ hoursSealed: 1, daysRebuilt: 1, daysPacked: 0 });
    expect(await rollups.listDirty(day + 23 * HOUR_MS)).toEqual(['acct']);
    expect((await packedDays()).coveredDays.size).toBe(0);

    // After the day: that empty hour is sealed and the day goes into its month's pack
    clock.set(day + DAY_MS + 25 * 60_000);
    expect(await seal()).toEqual({ hoursSealed: 1, daysRebuilt: 1, daysPacked: 1 });
    const { coveredDays, items } = await packedDays();
    expect([...coveredDays]).toEqual([day]);
    expect(items.map((item) => [item.bucketStart, item.requests, item.sealed])).toEqual([
      [new Date(day).toISOString(), 1, true],
    ]);
  });

  it('keeps the hours of a day whose pack write failed dirty, and packs it next run', async () => {
    const { clock, rollups, day, packedDays } = await dirtyDay();
    rollups.failingPacks = true;
    clock.set(day + DAY_MS + 25 * 60_000);
    const logger = new RecordingLogger();
    expect(await sealRollups({ rollups, clock, logger })).toEqual({
      hoursSealed: 1,
      daysRebuilt: 0,
      daysPacked: 0,
    });
    expect(await rollups.listDirty(HOUR)).toEqual(['acct']);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ fields: expect.objectContaining({ step: 'day' }) }),
    );

    rollups.failingPacks = false;
    expect(await sealRollups({ rollups, clock, logger })).toMatchObject({ daysPacked: 1 });
    expect([...(await packedDays()).coveredDays]).toEqual([day]);
  });
});
