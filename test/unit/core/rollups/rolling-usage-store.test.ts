import { describe, expect, it } from 'vitest';
import type { Logger } from '#core/ports/logger.ts';
import type { RollupStore } from '#core/ports/rollup-store.ts';
import { RollingUsageStore } from '#core/rollups/rolling-usage-store.ts';
import { sealRollups } from '#core/rollups/seal-rollups.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';
import { InMemoryRollupStore } from '../../../fakes/in-memory-rollup-store.ts';
import { InMemoryUsageStore } from '../../../fakes/in-memory-usage-store.ts';
import { usageRecord } from '../../../fixtures/usage-record.ts';

const AT = '2026-02-28T23:40:00.000Z';
const RECORD = usageRecord({ requestId: 'req-1', at: AT, costPicoUsd: 5n, latencyMs: 10 });
const KEEP = { expiresAtEpochSeconds: 4_102_444_800 };

function logger() {
  const lines: string[] = [];
  const log: Logger = {
    info: (message) => lines.push(`info ${message}`),
    warn: (message) => lines.push(`warn ${message}`),
    error: (message) => lines.push(`error ${message}`),
  };
  return { lines, log };
}

/** The store with one method failing (a Proxy: private fields need the real receiver). */
function failing(rollups: RollupStore, method: keyof RollupStore, error = new Error('killed')) {
  return new Proxy(rollups, {
    get(target, property) {
      if (property === method) {
        return async () => {
          throw error;
        };
      }
      const value = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function setup() {
  const clock = new FakeClock({ startMs: Date.parse(AT) });
  const usage = new InMemoryUsageStore({ clock });
  const rollups = new InMemoryRollupStore({ usage, clock });
  return { clock, usage, rollups };
}

describe('RollingUsageStore', () => {
  it('adds a record to the rollups once, even when the append is retried', async () => {
    const { usage, rollups } = setup();
    const store = new RollingUsageStore({ inner: usage, rollups, logger: logger().log });
    expect(await store.append(RECORD, KEEP)).toBe('appended');
    expect(await store.append(RECORD, KEEP)).toBe('duplicate');
    const hours = await rollups.query('acct', 'hour', 0, Date.parse('2027-01-01'));
    expect(hours.map((h) => h.requests)).toEqual([1]);
    expect((await store.listRecent('acct', 5)).map((r) => r.requestId)).toEqual(['req-1']);
  });

  it('keeps the record and logs when the rollup update fails', async () => {
    const { usage, rollups } = setup();
    const { lines, log } = logger();
    const store = new RollingUsageStore({
      inner: usage,
      rollups: failing(rollups, 'addLive', new Error('throttled')),
      logger: log,
    });
    expect(await store.append(RECORD, KEEP)).toBe('appended');
    expect(await usage.listRecent('acct', 5)).toHaveLength(1);
    expect(lines).toEqual(['warn live rollup update failed; the seal job will repair the hour']);
  });

  it('marks the hour dirty before the append, so a record whose ADDs never ran is sealed', async () => {
    // Arrange: the live update dies (a crash or frozen Lambda) after the raw record is stored
    const { clock, usage, rollups } = setup();
    const store = new RollingUsageStore({
      inner: usage,
      rollups: failing(rollups, 'addLive'),
      logger: logger().log,
    });
    await store.append(RECORD, KEEP);
    expect(await rollups.query('acct', 'hour', 0, Date.parse('2027-01-01'))).toEqual([]);

    // Act
    clock.set(Date.parse('2026-03-01T00:20:00.000Z'));
    await sealRollups({ rollups, clock, logger: logger().log });

    // Assert
    const [hour] = await rollups.query('acct', 'hour', 0, Date.parse('2027-01-01'));
    expect(hour).toMatchObject({ requests: 1, sealed: true });
    expect(hour?.earliestExpiresAtEpochSeconds).toBe(KEEP.expiresAtEpochSeconds);
  });

  it('still appends when the first dirty marker cannot be written', async () => {
    const { usage, rollups } = setup();
    const { lines, log } = logger();
    const store = new RollingUsageStore({
      inner: usage,
      rollups: failing(rollups, 'markDirty'),
      logger: log,
    });
    expect(await store.append(RECORD, KEEP)).toBe('appended');
    expect(await usage.listRecent('acct', 5)).toHaveLength(1);
    expect(lines).toContain('warn dirty marker before append failed; the live update will set it');
  });
});

describe('sealRollups', () => {
  it('leaves an hour alone until 20 minutes after it ended, then seals it and its day', async () => {
    const { clock, usage, rollups } = setup();
    await usage.append(RECORD, KEEP); // the live ADD was lost: only the raw record exists
    await rollups.addLive({ ...RECORD, requestId: 'req-2' }, KEEP);
    await usage.append({ ...RECORD, requestId: 'req-2' }, KEEP);
    const deps = { rollups, clock, logger: logger().log };

    clock.set(Date.parse('2026-03-01T00:19:00.000Z'));
    expect(await sealRollups(deps)).toEqual({ hoursSealed: 0, daysRebuilt: 0 });

    clock.set(Date.parse('2026-03-01T00:20:00.000Z'));
    expect(await sealRollups(deps)).toEqual({ hoursSealed: 1, daysRebuilt: 1 });
    const [day] = await rollups.query('acct', 'day', 0, Date.parse('2027-01-01'));
    expect(day).toMatchObject({
      bucketStart: '2026-02-28T00:00:00.000Z',
      requests: 2,
      sealed: true,
    });
    expect(await sealRollups(deps)).toEqual({ hoursSealed: 0, daysRebuilt: 0 });
  });
});
