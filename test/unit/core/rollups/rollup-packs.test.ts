import { describe, expect, it } from 'vitest';
import type { Granularity } from '#core/rollups/buckets.ts';
import { DAY_MS, HOUR_MS } from '#core/rollups/buckets.ts';
import type { MonthPackUpdate } from '#core/rollups/month-packs.ts';
import type { Rollup } from '#core/rollups/rollup.ts';
import { readDailyRollups } from '#core/rollups/rollup-packs.ts';
import { sealRollups } from '#core/rollups/seal-rollups.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';
import { InMemoryRollupStore } from '../../../fakes/in-memory-rollup-store.ts';
import { InMemoryUsageStore } from '../../../fakes/in-memory-usage-store.ts';
import { addLive } from '../../../fixtures/live-rollups.ts';
import { SILENT_LOGGER } from '../../../fixtures/silent-logger.ts';
import { usageRecord } from '../../../fixtures/usage-record.ts';

/** Mid-month, so that every range below holds enough days of March to read its packs. */
const MAR_10 = Date.parse('2026-03-10T00:00:00.000Z');
const KEEP = { expiresAtEpochSeconds: 4_102_444_800 };

/** The in-memory store with every daily-item Query recorded and pack writes that can drop a pack. */
class RecordingRollupStore extends InMemoryRollupStore {
  readonly dayQueries: string[] = [];
  readonly packQueries: string[] = [];

  override async queryMonthPacks(accountId: string, fromMs: number, toMs: number) {
    this.packQueries.push(
      `${new Date(fromMs).toISOString().slice(0, 10)}+${(toMs - fromMs) / DAY_MS}`,
    );
    return super.queryMonthPacks(accountId, fromMs, toMs);
  }
  dropPackOfModel: string | undefined;

  override async query(accountId: string, granularity: Granularity, fromMs: number, toMs: number) {
    if (granularity === 'day') {
      const days = (toMs - fromMs) / DAY_MS;
      this.dayQueries.push(`${new Date(fromMs).toISOString().slice(0, 10)}+${days}`);
    }
    return super.query(accountId, granularity, fromMs, toMs);
  }

  override async writeMonthPacks(update: MonthPackUpdate<Rollup>): Promise<void> {
    const model = this.dropPackOfModel;
    const put = update.put.filter(
      (pack) => ![...pack.days.values()].some((d) => d.item.model === model),
    );
    return super.writeMonthPacks({ ...update, put });
  }
}

/** A store whose `record(days)` adds two models' traffic on those days after Mar 10, sealed at `sealAtMs`. */
async function sealedTraffic(sealAtMs: number) {
  const clock = new FakeClock({ startMs: MAR_10 });
  const usage = new InMemoryUsageStore({ clock });
  const rollups = new RecordingRollupStore({ usage, clock });
  return {
    clock,
    rollups,
    async record(days: readonly number[]) {
      for (const day of days) {
        for (const model of ['gpt-4o-mini', 'gpt-4o']) {
          const record = usageRecord({
            at: new Date(MAR_10 + day * DAY_MS + 10 * HOUR_MS).toISOString(),
            model,
          });
          await usage.append(record, KEEP);
          await addLive(rollups, record, KEEP);
        }
      }
      clock.set(sealAtMs);
      await sealRollups({ rollups, clock, logger: SILENT_LOGGER }, { lookbackMs: 10 * DAY_MS });
      // Days that closed after their traffic: their last hour was marked, sealed now.
      await sealRollups({ rollups, clock, logger: SILENT_LOGGER }, { lookbackMs: 10 * DAY_MS });
      rollups.dayQueries.length = 0;
      rollups.packQueries.length = 0;
    },
  };
}

const summary = (rollups: readonly Rollup[]) =>
  rollups.map((r) => `${r.bucketStart.slice(0, 10)} ${r.model} ${r.requests}`).sort();

describe('readDailyRollups', () => {
  it('reads closed days from the month packs and only today from daily items', async () => {
    // Arrange: traffic on Mar 10, 11, 13 and 14; now is Mar 14 at noon (Mar 10-13 closed).
    const now = MAR_10 + 4 * DAY_MS + 12 * HOUR_MS;
    const traffic = await sealedTraffic(now);
    await traffic.record([0, 1, 3, 4]);

    // Act
    const days = await readDailyRollups(traffic.rollups, 'acct', {
      fromMs: MAR_10 - 3 * DAY_MS,
      toMs: MAR_10 + 5 * DAY_MS,
      nowMs: now,
    });

    // Assert: Mar 10, 11 and 13 from packs; Mar 7-9 and 12 (no traffic, so no pack) and today
    // from daily items; every day once.
    expect(traffic.rollups.packQueries).toEqual(['2026-03-07+8']);
    expect(traffic.rollups.dayQueries.sort()).toEqual([
      '2026-03-07+3',
      '2026-03-12+1',
      '2026-03-14+1',
    ]);
    expect(days).toHaveLength(8);
    expect(summary(days)).toEqual(
      summary(await traffic.rollups.query('acct', 'day', MAR_10 - 3 * DAY_MS, MAR_10 + 5 * DAY_MS)),
    );
  });

  it('reads yesterday from daily items in the first hours of today, before it is packed', async () => {
    const now = MAR_10 + DAY_MS + 10 * 60_000;
    const traffic = await sealedTraffic(now);
    await traffic.record([0]);
    const days = await readDailyRollups(traffic.rollups, 'acct', {
      fromMs: MAR_10 - 6 * DAY_MS,
      toMs: MAR_10 + 2 * DAY_MS,
      nowMs: now,
    });
    expect(summary(days)).toEqual(['2026-03-10 gpt-4o 1', '2026-03-10 gpt-4o-mini 1']);
    expect(traffic.rollups.dayQueries.sort()).toEqual(['2026-03-04+6', '2026-03-10+2']);
  });

  it('reads the few days an edge month contributes from daily items, not its packs', async () => {
    const now = MAR_10 + 4 * DAY_MS + 12 * HOUR_MS;
    const traffic = await sealedTraffic(now);
    await traffic.record([0, 1]);
    const days = await readDailyRollups(traffic.rollups, 'acct', {
      fromMs: MAR_10,
      toMs: MAR_10 + 3 * DAY_MS,
      nowMs: now,
    });
    expect(summary(days)).toHaveLength(4);
    expect(traffic.rollups.packQueries).toEqual([]);
    expect(traffic.rollups.dayQueries).toEqual(['2026-03-10+3']);
  });

  it('reads a day whose pack write stopped halfway from its daily items, exactly', async () => {
    // Arrange: Mar 10 and 11 packed without the gpt-4o pack (a failed or lost write).
    const now = MAR_10 + 3 * DAY_MS + 12 * HOUR_MS;
    const traffic = await sealedTraffic(now);
    traffic.rollups.dropPackOfModel = 'gpt-4o';
    await traffic.record([0, 1]);

    // Act
    const days = await readDailyRollups(traffic.rollups, 'acct', {
      fromMs: MAR_10 - 3 * DAY_MS,
      toMs: MAR_10 + 4 * DAY_MS,
      nowMs: now,
    });

    // Assert: both models on both days, the incomplete days from their daily items.
    expect(summary(days)).toEqual([
      '2026-03-10 gpt-4o 1',
      '2026-03-10 gpt-4o-mini 1',
      '2026-03-11 gpt-4o 1',
      '2026-03-11 gpt-4o-mini 1',
    ]);
    expect(traffic.rollups.packQueries).toEqual(['2026-03-07+7']);
    expect(traffic.rollups.dayQueries.sort()).toEqual(['2026-03-07+6', '2026-03-13+1']);
  });
});
