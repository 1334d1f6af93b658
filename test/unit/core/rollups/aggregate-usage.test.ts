import { describe, expect, it } from 'vitest';
import type { Logger } from '#core/ports/logger.ts';
import { type AggregateUsageStore, aggregateUsage } from '#core/rollups/aggregate-usage.ts';
import { HOUR_MS } from '#core/rollups/buckets.ts';
import { type Rollup, rollupsFromRecords, type StoredUsageRecord } from '#core/rollups/rollup.ts';
import { sealRollups } from '#core/rollups/seal-rollups.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';
import { InMemoryBudgets } from '../../../fakes/in-memory-budgets.ts';
import { InMemoryRollupStore } from '../../../fakes/in-memory-rollup-store.ts';
import { InMemoryUsageStore } from '../../../fakes/in-memory-usage-store.ts';
import { SILENT_LOGGER } from '../../../fixtures/silent-logger.ts';
import { usageRecord } from '../../../fixtures/usage-record.ts';

/** The records here carry no reservation: a ledger that is never asked. */
const NO_RESERVATIONS = new InMemoryBudgets();

const AT = '2026-02-28T23:40:00.000Z';
const KEEP = 4_102_444_800;
const EVERYTHING = [0, Date.parse('2027-01-01')] as const;

function stored(overrides: Parameters<typeof usageRecord>[0] = {}): StoredUsageRecord {
  return { record: usageRecord({ at: AT, ...overrides }), expiresAtEpochSeconds: KEEP };
}

function setup() {
  const clock = new FakeClock({ startMs: Date.parse(AT) });
  const usage = new InMemoryUsageStore({ clock });
  const rollups = new InMemoryRollupStore({ usage, clock });
  return { clock, usage, rollups };
}

type Call = readonly [method: keyof AggregateUsageStore, detail: string];

/**
 * The rollup store with every call recorded in order, and the methods named in `failing`
 * throwing for the calls `failing[method]` accepts (a throttled or dead write).
 */
function recorded(
  store: AggregateUsageStore,
  failing: Partial<Record<keyof AggregateUsageStore, (detail: string) => boolean>> = {},
) {
  const calls: Call[] = [];
  const run = async (call: Call, write: () => Promise<void>) => {
    calls.push(call);
    if (failing[call[0]]?.(call[1])) throw new Error('ProvisionedThroughputExceededException');
    await write();
  };
  const wrapped: AggregateUsageStore = {
    markDirty: (accountId, hourMs) =>
      run(['markDirty', `${accountId}@${new Date(hourMs).toISOString()}`], () =>
        store.markDirty(accountId, hourMs),
      ),
    addToRollup: (rollup: Rollup) =>
      run(['addToRollup', `${rollup.accountId}/${rollup.granularity}/${rollup.model}`], () =>
        store.addToRollup(rollup),
      ),
    putErrors: (records) =>
      run(['putErrors', records.map((r) => r.record.requestId).join(',')], () =>
        store.putErrors(records),
      ),
    addToTagRollup: (rollup) =>
      run(
        [
          'addToTagRollup',
          `${rollup.accountId}/${rollup.granularity}/${rollup.tagKey}:${rollup.tagValue}`,
        ],
        () => store.addToTagRollup(rollup),
      ),
    noteTagKey: (accountId, key, seenAt) =>
      run(['noteTagKey', `${accountId}/${key}@${seenAt}`], () =>
        store.noteTagKey(accountId, key, seenAt),
      ),
  };
  return { calls, store: wrapped };
}

function warnings() {
  const lines: string[] = [];
  const logger: Logger = { ...SILENT_LOGGER, warn: (message) => lines.push(message) };
  return { lines, logger };
}

describe('aggregateUsage', () => {
  it('folds a batch into one ADD per account, bucket and dimension combination', async () => {
    // Arrange: 30 records of two accounts, one hour, one model: 2 accounts x (hour + day).
    const { rollups } = setup();
    const batch = Array.from({ length: 30 }, (_, i) =>
      stored({ accountId: i % 2 === 0 ? 'acct-a' : 'acct-b', latencyMs: 10 + i }),
    );
    const { calls, store } = recorded(rollups);

    // Act
    const report = await aggregateUsage(
      { rollups: store, logger: SILENT_LOGGER, budgetLedger: NO_RESERVATIONS },
      batch,
    );

    // Assert: markers once per account-hour before the ADDs and once after; the item is what the
    // seal's fold of the same records gives, and its counts are the hand sums of acct-a's 15
    // records (1 token each way, 1 pico-USD, latency 10 + i for even i).
    expect(report).toEqual({ aggregated: 30, rollupsAdded: 4, tagRollupsAdded: 0 });
    expect(calls.map(([method]) => method)).toEqual([
      'markDirty',
      'markDirty',
      'addToRollup',
      'addToRollup',
      'addToRollup',
      'addToRollup',
      'markDirty',
      'markDirty',
    ]);
    const hoursA = await rollups.query('acct-a', 'hour', ...EVERYTHING);
    const folded = rollupsFromRecords(
      batch.filter((s) => s.record.accountId === 'acct-a'),
      'hour',
      false,
    );
    expect(hoursA).toEqual(folded);
    expect(hoursA).toHaveLength(1);
    expect(hoursA[0]).toMatchObject({
      model: 'gpt-4o-mini',
      sealed: false,
      requests: 15,
      errors: 0,
      inputTokens: 15,
      outputTokens: 15,
      costPicoUsd: 15n,
      unpricedRequests: 0,
      latencyMsSum: 360, // 15 x 10 + (0 + 2 + ... + 28 = 210)
    });
    expect((await rollups.query('acct-b', 'day', ...EVERYTHING))[0]?.requests).toBe(15);
  });

  it('adds up to hand-summed totals, with the cost of errors and the unpriced counted', async () => {
    // Arrange: a priced success, a provider error that still cost money, an unpriced model
    const { rollups } = setup();
    const batch = [
      stored({ inputTokens: 120, outputTokens: 30, costPicoUsd: 1_500n }),
      stored({
        status: 502,
        errorSource: 'provider',
        inputTokens: 80,
        outputTokens: 12,
        costPicoUsd: 700n,
      }),
      stored({ model: 'unpriced-model', inputTokens: 10, outputTokens: 5, costPicoUsd: null }),
    ];

    // Act
    await aggregateUsage({ rollups, logger: SILENT_LOGGER, budgetLedger: NO_RESERVATIONS }, batch);

    // Assert: per granularity, the rows (one per dimension combination) sum to the hand sums
    for (const granularity of ['hour', 'day'] as const) {
      const rows = await rollups.query('acct', granularity, ...EVERYTHING);
      const sum = (
        field: 'requests' | 'errors' | 'inputTokens' | 'outputTokens' | 'unpricedRequests',
      ) => rows.reduce((total, row) => total + row[field], 0);
      expect({
        requests: sum('requests'),
        errors: sum('errors'),
        inputTokens: sum('inputTokens'),
        outputTokens: sum('outputTokens'),
        unpricedRequests: sum('unpricedRequests'),
        costPicoUsd: rows.reduce((total, row) => total + row.costPicoUsd, 0n),
      }).toEqual({
        requests: 3,
        errors: 1,
        inputTokens: 210, // 120 + 80 + 10
        outputTokens: 47, // 30 + 12 + 5
        unpricedRequests: 1,
        costPicoUsd: 2_200n, // 1,500 + 700
      });
    }
  });

  it('stores a copy of each error record', async () => {
    const { rollups } = setup();
    const failed = stored({ status: 503, errorSource: 'provider', errorMessage: 'overloaded' });
    await aggregateUsage({ rollups, logger: SILENT_LOGGER, budgetLedger: NO_RESERVATIONS }, [
      stored(),
      failed,
    ]);
    const errors = await rollups.recentErrors('acct', ...EVERYTHING, () => true, 10);
    expect(errors.map((r) => r.requestId)).toEqual([failed.record.requestId]);
  });

  it('reports the first record a failed ADD carries; redelivered from there and sealed, totals are exact', async () => {
    // Arrange: gpt-4o records from index 2 on; the gpt-4o ADDs are throttled.
    const { clock, usage, rollups } = setup();
    const batch = [0, 1, 2, 3, 4].map((i) => stored({ model: i < 2 ? 'gpt-4o-mini' : 'gpt-4o' }));
    for (const s of batch) await usage.append(s.record, s);
    const { lines, logger } = warnings();
    const throttled = recorded(rollups, { addToRollup: (detail) => detail.endsWith('/gpt-4o') });

    // Act
    const failed = await aggregateUsage(
      { rollups: throttled.store, logger, budgetLedger: NO_RESERVATIONS },
      batch,
    );
    const retried = await aggregateUsage(
      { rollups, logger: SILENT_LOGGER, budgetLedger: NO_RESERVATIONS },
      batch.slice(failed.retryFrom),
    );

    // Assert: from record 2 on; the retry completes; the seal makes the hour exact.
    expect(failed).toMatchObject({ aggregated: 2, retryFrom: 2 });
    expect(lines).toEqual([
      'usage aggregation step failed; the batch is redelivered from a record',
    ]);
    expect(retried.retryFrom).toBeUndefined();
    clock.set(Date.parse(AT) + HOUR_MS);
    await sealRollups({ rollups, clock, logger: SILENT_LOGGER });
    const hours = await rollups.query('acct', 'hour', ...EVERYTHING);
    expect(hours.map((h) => [h.model, h.requests, h.sealed]).sort()).toEqual([
      ['gpt-4o', 3, true],
      ['gpt-4o-mini', 2, true],
    ]);
  });

  it('adds each tag of a record to its tag rollups and notes the latest time each key was seen', async () => {
    // Arrange: 3 records with feature tags, one also with a team tag
    const { rollups } = setup();
    const batch = [
      stored({ tags: { feature: 'search' } }),
      stored({ at: '2026-02-28T23:50:00.000Z', tags: { feature: 'search', team: 'core' } }),
      stored({ tags: { feature: 'chat' } }),
      stored(),
    ];
    const { calls, store } = recorded(rollups);

    // Act
    const report = await aggregateUsage(
      { rollups: store, logger: SILENT_LOGGER, budgetLedger: NO_RESERVATIONS },
      batch,
    );

    // Assert: feature:search, feature:chat, team:core, each hour and day
    expect(report.tagRollupsAdded).toBe(6);
    const noted = calls.filter(([method]) => method === 'noteTagKey').map(([, detail]) => detail);
    expect(noted.sort()).toEqual([
      'acct/feature@2026-02-28T23:50:00.000Z',
      'acct/team@2026-02-28T23:50:00.000Z',
    ]);
    const search = await rollups.queryTagValues(
      'acct',
      'feature',
      ['search'],
      'day',
      ...EVERYTHING,
    );
    expect(search.map((r) => [r.tagValue, r.requests, r.sealed])).toEqual([['search', 2, false]]);
    expect(await rollups.listTagKeys('acct')).toEqual([
      { key: 'feature', lastSeenAt: '2026-02-28T23:50:00.000Z' },
      { key: 'team', lastSeenAt: '2026-02-28T23:50:00.000Z' },
    ]);
  });

  it('reports the first record a failed tag ADD carries', async () => {
    const { rollups } = setup();
    const batch = [
      stored(),
      stored({ tags: { feature: 'a' } }),
      stored({ tags: { feature: 'b' } }),
    ];
    const { store } = recorded(rollups, { addToTagRollup: (detail) => detail.endsWith(':b') });

    const report = await aggregateUsage(
      { rollups: store, logger: SILENT_LOGGER, budgetLedger: NO_RESERVATIONS },
      batch,
    );

    expect(report).toMatchObject({ aggregated: 2, retryFrom: 2 });
  });

  it('writes no ADD for records from the first one whose hour could not be marked', async () => {
    const { rollups } = setup();
    const batch = [
      stored({ accountId: 'acct-a' }),
      stored({ accountId: 'acct-b' }),
      stored({ accountId: 'acct-a' }),
    ];
    const { calls, store } = recorded(rollups, {
      markDirty: (detail) => detail.startsWith('acct-b@'),
    });

    const report = await aggregateUsage(
      { rollups: store, logger: SILENT_LOGGER, budgetLedger: NO_RESERVATIONS },
      batch,
    );

    expect(report).toMatchObject({ aggregated: 1, retryFrom: 1 });
    const added = calls.filter(([method]) => method === 'addToRollup').map(([, detail]) => detail);
    expect(added.sort()).toEqual(['acct-a/day/gpt-4o-mini', 'acct-a/hour/gpt-4o-mini']);
    expect((await rollups.query('acct-a', 'hour', ...EVERYTHING))[0]?.requests).toBe(1);
  });

  it('reports the batch again from the first record of an hour whose closing marker failed', async () => {
    // The ADDs landed; only the marker after them failed (a seal may have run in between).
    const { rollups } = setup();
    const batch = [stored(), stored({ at: '2026-03-01T00:10:00.000Z' })];
    let marks = 0;
    const { store } = recorded(rollups, {
      markDirty: (detail) => {
        if (!detail.endsWith('T00:00:00.000Z')) return false;
        marks += 1;
        return marks === 2;
      },
    });

    const report = await aggregateUsage(
      { rollups: store, logger: SILENT_LOGGER, budgetLedger: NO_RESERVATIONS },
      batch,
    );

    expect(report).toMatchObject({ aggregated: 1, retryFrom: 1 });
  });

  it('leaves nothing to do for an empty batch', async () => {
    const { rollups } = setup();
    const { calls, store } = recorded(rollups);
    expect(
      await aggregateUsage(
        { rollups: store, logger: SILENT_LOGGER, budgetLedger: NO_RESERVATIONS },
        [],
      ),
    ).toEqual({
      aggregated: 0,
      rollupsAdded: 0,
      tagRollupsAdded: 0,
    });
    expect(calls).toEqual([]);
  });

  it('marks the hour before any ADD, so a run that died after its markers is sealed exactly', async () => {
    // Arrange: the aggregator dies at its first ADD (a crash, a frozen Lambda) and never retries.
    const { clock, usage, rollups } = setup();
    const only = stored({ costPicoUsd: 5n });
    await usage.append(only.record, only);
    const dead = recorded(rollups, { addToRollup: () => true });
    await aggregateUsage(
      { rollups: dead.store, logger: SILENT_LOGGER, budgetLedger: NO_RESERVATIONS },
      [only],
    );
    expect(await rollups.query('acct', 'hour', ...EVERYTHING)).toEqual([]);

    // Act: 20 minutes after the hour ended.
    clock.set(Date.parse('2026-03-01T00:19:00.000Z'));
    expect(await sealRollups({ rollups, clock, logger: SILENT_LOGGER })).toEqual({
      hoursSealed: 0,
      daysRebuilt: 0,
      daysPacked: 0,
    });
    clock.set(Date.parse('2026-03-01T00:20:00.000Z'));
    await sealRollups({ rollups, clock, logger: SILENT_LOGGER });

    // Assert
    const [hour] = await rollups.query('acct', 'hour', ...EVERYTHING);
    expect(hour).toMatchObject({ requests: 1, costPicoUsd: 5n, sealed: true });
    expect(hour?.earliestExpiresAtEpochSeconds).toBe(KEEP);
  });
  it('closes only the hours whose records were counted, from their first record', async () => {
    // Arrange: acct-a's hour starts at record 0; acct-b's ADDs (record 1) are throttled.
    const { rollups } = setup();
    const batch = [
      stored({ accountId: 'acct-a' }),
      stored({ accountId: 'acct-b' }),
      stored({ accountId: 'acct-a' }),
    ];
    const { calls, store } = recorded(rollups, {
      addToRollup: (detail) => detail.startsWith('acct-b/'),
    });

    // Act
    const report = await aggregateUsage(
      { rollups: store, logger: SILENT_LOGGER, budgetLedger: NO_RESERVATIONS },
      batch,
    );

    // Assert: both hours opened; only acct-a's (first record 0, before the cut) closed again
    expect(report).toStrictEqual({
      aggregated: 1,
      retryFrom: 1,
      rollupsAdded: 4,
      tagRollupsAdded: 0,
    });
    const marks = calls.filter(([method]) => method === 'markDirty').map(([, detail]) => detail);
    expect(marks).toEqual([
      'acct-a@2026-02-28T23:00:00.000Z',
      'acct-b@2026-02-28T23:00:00.000Z',
      'acct-a@2026-02-28T23:00:00.000Z',
    ]);
  });

  it('adds unsealed rollups and reports the earliest of several failed records', async () => {
    // Arrange: the ADDs of records 3 and 1 fail (gpt-4o, then o3 in write order)
    const { rollups } = setup();
    const models = ['gpt-4o-mini', 'o3', 'gpt-4o-mini', 'gpt-4o'];
    const batch = models.map((model) => stored({ model }));
    const added: Rollup[] = [];
    const store: AggregateUsageStore = {
      markDirty: (accountId, hourMs) => rollups.markDirty(accountId, hourMs),
      addToRollup: async (rollup) => {
        added.push(rollup);
        if (rollup.model !== 'gpt-4o-mini')
          throw new Error('ProvisionedThroughputExceededException');
        await rollups.addToRollup(rollup);
      },
      putErrors: (records) => rollups.putErrors(records),
      noteTagKey: (accountId, key, seenAt) => rollups.noteTagKey(accountId, key, seenAt),
      addToTagRollup: (rollup) => rollups.addToTagRollup(rollup),
    };

    // Act
    const report = await aggregateUsage(
      { rollups: store, logger: SILENT_LOGGER, budgetLedger: NO_RESERVATIONS },
      batch,
    );

    // Assert
    expect(report).toMatchObject({ aggregated: 1, retryFrom: 1 });
    expect(added.map((rollup) => rollup.sealed)).toEqual(added.map(() => false));
    expect(added.some((rollup) => 'earliestExpiresAtEpochSeconds' in rollup)).toBe(false);
  });

  it('warns once per failed step with its name, the failures and the first record', async () => {
    const { rollups } = setup();
    const fields: Record<string, unknown>[] = [];
    const logger: Logger = { ...SILENT_LOGGER, warn: (_message, meta = {}) => fields.push(meta) };
    const batch = [stored({ accountId: 'acct-a' }), stored({ accountId: 'acct-b' })];
    const { store } = recorded(rollups, { markDirty: (detail) => detail.startsWith('acct-b@') });
    const throwsString: AggregateUsageStore = {
      ...store,
      putErrors: () => Promise.reject('not an Error'),
    };

    await aggregateUsage({ rollups: store, logger, budgetLedger: NO_RESERVATIONS }, batch);
    await aggregateUsage({ rollups: throwsString, logger, budgetLedger: NO_RESERVATIONS }, [
      stored({ status: 500 }),
    ]);

    expect(fields).toEqual([
      {
        step: 'mark dirty (before)',
        failures: 1,
        retryFrom: 1,
        error: 'Error',
      },
      { step: 'rollup add', failures: 1, retryFrom: 0, error: 'unknown' },
    ]);
  });
});
