import { describe, expect, it } from 'vitest';
import { DAY_MS } from '#core/rollups/buckets.ts';
import { SWEEP_EVENT } from '#core/rollups/seal-rollups.ts';
import { createSealRollupsHandler } from '#handlers/seal-rollups.ts';
import { FakeClock } from '../../fakes/fake-clock.ts';
import { InMemoryRollupStore } from '../../fakes/in-memory-rollup-store.ts';
import { InMemoryUsageStore } from '../../fakes/in-memory-usage-store.ts';
import { addLive } from '../../fixtures/live-rollups.ts';
import { SILENT_LOGGER } from '../../fixtures/silent-logger.ts';
import { usageRecord } from '../../fixtures/usage-record.ts';

const AT_MS = Date.parse('2026-11-01T10:15:00.000Z');
const RECORD = usageRecord({ requestId: 'req-old', at: new Date(AT_MS).toISOString() });

describe('seal-rollups handler', () => {
  it('leaves hours older than 48 h to the daily sweep, which seals them', async () => {
    // Arrange: an hour made dirty ten days ago that no frequent run sealed (the job was down)
    const clock = new FakeClock({ startMs: AT_MS });
    const usage = new InMemoryUsageStore({ clock });
    const rollups = new InMemoryRollupStore({ usage, clock });
    const keep = { expiresAtEpochSeconds: AT_MS / 1000 + 90 * 86_400 };
    await usage.append(RECORD, keep);
    await addLive(rollups, RECORD, keep);
    clock.set(AT_MS + 10 * DAY_MS);
    const handler = createSealRollupsHandler({ rollups, clock, logger: SILENT_LOGGER });

    // Act and assert
    expect(await handler({ source: 'aws.events' })).toEqual({
      hoursSealed: 0,
      daysRebuilt: 0,
      daysPacked: 0,
    });
    // The day closed long ago: it goes into its month's packs too.
    expect(await handler(SWEEP_EVENT)).toEqual({ hoursSealed: 1, daysRebuilt: 1, daysPacked: 1 });
    const [hour] = await rollups.query('acct', 'hour', AT_MS - DAY_MS, AT_MS + DAY_MS);
    expect(hour).toMatchObject({ requests: 1, sealed: true });
  });
});
