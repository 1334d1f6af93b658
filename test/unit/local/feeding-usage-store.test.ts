import { describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '#core/errors.ts';
import type { AggregateUsageStore } from '#core/rollups/aggregate-usage.ts';
import { HOUR_MS } from '#core/rollups/buckets.ts';
import { sealRollups } from '#core/rollups/seal-rollups.ts';
import { FeedingUsageStore } from '#local/feeding-usage-store.ts';
import { forgettingClearedMarkers } from '#local/marker-forgetting-seal-store.ts';
import { UsageFeed } from '#local/usage-feed.ts';
import { FakeClock } from '../../fakes/fake-clock.ts';
import { InMemoryBudgets } from '../../fakes/in-memory-budgets.ts';
import { InMemoryRollupStore } from '../../fakes/in-memory-rollup-store.ts';
import { InMemoryUsageStore } from '../../fakes/in-memory-usage-store.ts';
import { SILENT_LOGGER } from '../../fixtures/silent-logger.ts';
import { usageRecord } from '../../fixtures/usage-record.ts';

const HOUR = Date.parse('2026-11-24T12:00:00.000Z');
const RETENTION = { expiresAtEpochSeconds: 4_102_444_800 };

function local(wrapRollups = (rollups: InMemoryRollupStore): AggregateUsageStore => rollups) {
  const clock = new FakeClock({ startMs: HOUR + 30 * 60_000 });
  const usage = new InMemoryUsageStore({ clock });
  const rollups = new InMemoryRollupStore({ usage, clock });
  // A window longer than any test: nothing is delivered unless drained.
  const feed = new UsageFeed({
    aggregator: {
      rollups: wrapRollups(rollups),
      logger: SILENT_LOGGER,
      budgetLedger: new InMemoryBudgets(),
    },
    logger: SILENT_LOGGER,
    batchWindowMs: 60_000,
    clock,
  });
  const store = new FeedingUsageStore({ inner: usage, feed });
  return { usage, rollups, feed, store, clock };
}

/** The store with `markDirty` failing once, then working. */
function failingMarkOnce(rollups: InMemoryRollupStore): AggregateUsageStore {
  let failed = false;
  return new Proxy(rollups, {
    get(target, name) {
      if (name === 'markDirty' && !failed) {
        failed = true;
        return () => Promise.reject(new ServiceUnavailableError('down', { service: 'dynamodb' }));
      }
      const value: unknown = Reflect.get(target, name, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
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

  it("writes the current hour's marker once per account and process", async () => {
    const { rollups, store } = local();
    await store.append(
      usageRecord({ accountId: 'acct-busy', at: '2026-11-24T12:10:00.000Z' }),
      RETENTION,
    );
    // Cleared behind the feed's back: the next record of the hour does not set it again.
    await rollups.clearDirty(HOUR, 'acct-busy');

    await store.append(
      usageRecord({ accountId: 'acct-busy', at: '2026-11-24T12:11:00.000Z' }),
      RETENTION,
    );

    expect(await rollups.listDirty(HOUR)).toEqual([]);
  });

  it("marks the hour again after this process's seal cleared it", async () => {
    const { rollups, feed, store, clock } = local();
    await store.append(
      usageRecord({ accountId: 'acct-sealed', at: '2026-11-24T12:10:00.000Z' }),
      RETENTION,
    );
    await feed.drain();
    const seal = { rollups: forgettingClearedMarkers(rollups, feed), clock, logger: SILENT_LOGGER };
    // A grace of minus one hour seals the current hour too.
    await sealRollups(seal, { graceMs: -HOUR_MS });
    expect(await rollups.listDirty(HOUR)).toEqual([]);

    await store.append(
      usageRecord({ accountId: 'acct-sealed', at: '2026-11-24T12:20:00.000Z' }),
      RETENTION,
    );

    expect(await rollups.listDirty(HOUR)).toEqual(['acct-sealed']);
  });

  it('marks an hour other than the current one at every record', async () => {
    const { rollups, store } = local();
    const earlier = HOUR - HOUR_MS;
    await store.append(
      usageRecord({ accountId: 'acct-late', at: '2026-11-24T11:50:00.000Z' }),
      RETENTION,
    );
    await rollups.clearDirty(earlier, 'acct-late');

    await store.append(
      usageRecord({ accountId: 'acct-late', at: '2026-11-24T11:55:00.000Z' }),
      RETENTION,
    );

    expect(await rollups.listDirty(earlier)).toEqual(['acct-late']);
  });

  it('tries a marker that failed again at the next record', async () => {
    const { rollups, store } = local(failingMarkOnce);
    const first = await store
      .append(usageRecord({ accountId: 'acct-retry', at: '2026-11-24T12:10:00.000Z' }), RETENTION)
      .catch((error: unknown) => error);
    expect(first).toBeInstanceOf(ServiceUnavailableError);

    await store.append(
      usageRecord({ accountId: 'acct-retry', at: '2026-11-24T12:11:00.000Z' }),
      RETENTION,
    );

    expect(await rollups.listDirty(HOUR)).toEqual(['acct-retry']);
  });
});
