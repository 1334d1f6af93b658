import { describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '#core/errors.ts';
import { FeedingUsageStore } from '#local/feeding-usage-store.ts';
import { UsageFeed } from '#local/usage-feed.ts';
import { FakeClock } from '../../fakes/fake-clock.ts';
import { InMemoryBudgets } from '../../fakes/in-memory-budgets.ts';
import { InMemoryRollupStore } from '../../fakes/in-memory-rollup-store.ts';
import { InMemoryUsageStore } from '../../fakes/in-memory-usage-store.ts';
import { SILENT_LOGGER } from '../../fixtures/silent-logger.ts';
import { usageRecord } from '../../fixtures/usage-record.ts';

const HOUR = Date.parse('2026-11-24T12:00:00.000Z');
const RETENTION = { expiresAtEpochSeconds: 4_102_444_800 };

function local() {
  const clock = new FakeClock({ startMs: HOUR + 30 * 60_000 });
  const usage = new InMemoryUsageStore({ clock });
  const rollups = new InMemoryRollupStore({ usage, clock });
  // A window longer than any test: nothing is delivered unless drained.
  const feed = new UsageFeed({
    aggregator: { rollups, logger: SILENT_LOGGER, budgetLedger: new InMemoryBudgets() },
    logger: SILENT_LOGGER,
    batchWindowMs: 60_000,
  });
  return { usage, rollups, feed };
}

describe('the local usage store feeding the aggregator', () => {
  it('marks the hour dirty before the record is stored, so a process killed before delivery leaves it to the seal', async () => {
    const { usage, rollups, feed } = local();
    const store = new FeedingUsageStore({ inner: usage, feed });

    await store.append(
      usageRecord({ accountId: 'acct-killed', at: '2026-11-24T12:10:00.000Z' }),
      RETENTION,
    );

    // Not delivered (the process would have died here), yet the hour is marked for the seal.
    expect(feed.pending).toBe(1);
    expect(await rollups.listDirty(HOUR)).toEqual(['acct-killed']);
  });

  it('stores nothing when the mark fails, so the record is never unmarked', async () => {
    const { usage, feed } = local();
    const failing = {
      markBeforeAppend: () =>
        Promise.reject(new ServiceUnavailableError('down', { service: 'dynamodb' })),
      publish: feed.publish.bind(feed),
    };
    const store = new FeedingUsageStore({ inner: usage, feed: failing });

    const outcome = await store
      .append(usageRecord({ accountId: 'acct-unmarked' }), RETENTION)
      .catch((error: unknown) => error);

    expect(outcome).toBeInstanceOf(ServiceUnavailableError);
    expect(await usage.listRecent('acct-unmarked', 10)).toEqual([]);
  });
});
