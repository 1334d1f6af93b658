import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '#core/ports/clock.ts';
import type { RollupSealStore } from '#core/ports/rollup-seal-store.ts';
import type { RollupStore } from '#core/ports/rollup-store.ts';
import type { UsageRetention, UsageStore } from '#core/ports/usage-store.ts';
import { aggregateUsage } from '#core/rollups/aggregate-usage.ts';
import { DAY_MS, HOUR_MS } from '#core/rollups/buckets.ts';
import type { StoredUsageRecord } from '#core/rollups/rollup.ts';
import { sealRollups } from '#core/rollups/seal-rollups.ts';
import { type TagRollup, tagRollupsFromRecords } from '#core/rollups/tag-rollup.ts';
import {
  summarizeTagBucket,
  TAG_SUMMARY_VALUES,
  type TagSummary,
  type TagSummaryEntry,
} from '#core/rollups/tag-summary.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { InMemoryBudgets } from '../fakes/in-memory-budgets.ts';
import { addLive } from '../fixtures/live-rollups.ts';
import { prng } from '../fixtures/prng.ts';
import { SILENT_LOGGER as SILENT } from '../fixtures/silent-logger.ts';
import { usageRecord } from '../fixtures/usage-record.ts';

export interface TagRollupStoreFixture {
  readonly usage: UsageStore;
  readonly rollups: RollupStore & RollupSealStore;
}

const START_MS = Date.parse('2026-01-31T20:00:00.000Z');
const EVERYTHING = [Date.parse('2026-01-01'), Date.parse('2026-03-01')] as const;
const DAY_SECONDS = 86_400;
/** Values each summary keeps by name in the exactness test: fewer than a day's values. */
const KEEP_VALUES = 20;

/**
 * The store with `addToTagRollup` failing after `successes` calls: an aggregator that died or
 * was throttled partway through a batch's tag writes.
 */
function failingTagAdds<T extends RollupStore & RollupSealStore>(store: T, successes: number): T {
  let calls = 0;
  return new Proxy(store, {
    get(target, property) {
      if (property === 'addToTagRollup') {
        return async (rollup: TagRollup) => {
          calls += 1;
          if (calls > successes) throw new Error('ProvisionedThroughputExceededException');
          await target.addToTagRollup(rollup);
        };
      }
      const value = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The counts the checks compare, per item, as text (bigint-safe). */
interface HandTotals {
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cacheWriteTokens: number;
  costPicoUsd: string;
  unpricedRequests: number;
  latencyMsSum: number;
}

function totalsOf(item: Omit<HandTotals, 'costPicoUsd'> & { costPicoUsd: bigint }): HandTotals {
  return {
    requests: item.requests,
    errors: item.errors,
    inputTokens: item.inputTokens,
    outputTokens: item.outputTokens,
    cacheWriteTokens: item.cacheWriteTokens,
    costPicoUsd: item.costPicoUsd.toString(),
    unpricedRequests: item.unpricedRequests,
    latencyMsSum: item.latencyMsSum,
  };
}

function addHand(sum: HandTotals | undefined, r: UsageRecord): HandTotals {
  return {
    requests: (sum?.requests ?? 0) + 1,
    errors: (sum?.errors ?? 0) + (r.status >= 400 ? 1 : 0),
    inputTokens: (sum?.inputTokens ?? 0) + r.inputTokens,
    outputTokens: (sum?.outputTokens ?? 0) + r.outputTokens,
    cacheWriteTokens: (sum?.cacheWriteTokens ?? 0) + r.cacheWriteTokens,
    costPicoUsd: String(BigInt(sum?.costPicoUsd ?? '0') + (r.costPicoUsd ?? 0n)),
    unpricedRequests: (sum?.unpricedRequests ?? 0) + (r.costPicoUsd === null ? 1 : 0),
    latencyMsSum: (sum?.latencyMsSum ?? 0) + r.latencyMs,
  };
}

const bucketOf = (at: string, sizeMs: number) =>
  new Date(Math.floor(Date.parse(at) / sizeMs) * sizeMs).toISOString();

/**
 * Raw records summed by hand per (bucket, tag key, value, model, requester, status): field by
 * field, not with the fold the seal job uses.
 */
function tagSumsByHand(stored: readonly StoredUsageRecord[], sizeMs: number) {
  const sums: Record<string, HandTotals> = {};
  for (const { record } of stored) {
    for (const [key, value] of Object.entries(record.tags ?? {})) {
      const id = JSON.stringify([
        bucketOf(record.at, sizeMs),
        key,
        value,
        record.model,
        record.requester ?? null,
        record.status,
      ]);
      sums[id] = addHand(sums[id], record);
    }
  }
  return sums;
}

function tagSumsOfRollups(rollups: readonly TagRollup[]) {
  return Object.fromEntries(
    rollups.map((r) => [
      JSON.stringify([r.bucketStart, r.tagKey, r.tagValue, r.model, r.requester, r.status]),
      totalsOf(r),
    ]),
  );
}

/** Per value of a key in one bucket: hand totals (dimensions summed away). */
function valueSumsByHand(stored: readonly StoredUsageRecord[], key: string) {
  const sums = new Map<string, HandTotals>();
  for (const { record } of stored) {
    const value = record.tags?.[key];
    if (value !== undefined) sums.set(value, addHand(sums.get(value), record));
  }
  return sums;
}

function entriesTotal(entries: readonly TagSummaryEntry[]): HandTotals {
  let sum: HandTotals | undefined;
  for (const e of entries) {
    sum = {
      requests: (sum?.requests ?? 0) + e.requests,
      errors: (sum?.errors ?? 0) + e.errors,
      inputTokens: (sum?.inputTokens ?? 0) + e.inputTokens,
      outputTokens: (sum?.outputTokens ?? 0) + e.outputTokens,
      cacheWriteTokens: (sum?.cacheWriteTokens ?? 0) + e.cacheWriteTokens,
      costPicoUsd: String(BigInt(sum?.costPicoUsd ?? '0') + e.costPicoUsd),
      unpricedRequests: (sum?.unpricedRequests ?? 0) + e.unpricedRequests,
      latencyMsSum: 0,
    };
  }
  return sum ?? totalsOf({ ...EMPTY_HAND, costPicoUsd: 0n });
}

const EMPTY_HAND = {
  requests: 0,
  errors: 0,
  inputTokens: 0,
  outputTokens: 0,
  cacheWriteTokens: 0,
  unpricedRequests: 0,
  latencyMsSum: 0,
};

/** `sum` without the latency sum, which summaries do not keep. */
function summaryTotals(sum: HandTotals | undefined): HandTotals {
  return { ...(sum ?? totalsOf({ ...EMPTY_HAND, costPicoUsd: 0n })), latencyMsSum: 0 };
}

/**
 * The tag side of the RollupStore and RollupSealStore contract, and the exactness property on
 * top of it: random tags through the stream aggregator (batches that die, fail halfway and are
 * redelivered, or are delivered twice), then the seal job; every hourly and daily tag rollup and
 * every summary equals the sums over the raw records.
 */
export function tagRollupStoreContract(
  createFixture: (clock: Clock) => Promise<TagRollupStoreFixture>,
): void {
  let clock: FakeClock;
  let fixture: TagRollupStoreFixture;
  let accountId: string;
  const keep = (): UsageRetention => ({
    expiresAtEpochSeconds: Math.floor(clock.nowMs() / 1000) + 30 * DAY_SECONDS,
  });
  const tagged = (at: string, tags: Record<string, string>, overrides: Partial<UsageRecord> = {}) =>
    usageRecord({ requestId: randomUUID(), accountId, at, tags, ...overrides });

  beforeEach(async () => {
    clock = new FakeClock({ startMs: START_MS });
    fixture = await createFixture(clock);
    accountId = `acct-${randomUUID()}`;
  });

  describe('live ADDs and reads', () => {
    it('adds each tag of a record into its hourly and daily items, one key never mixed with another', async () => {
      const at = '2026-01-31T20:10:00.000Z';
      await addLive(fixture.rollups, tagged(at, { feature: 'search', team: 'core' }), keep());
      await addLive(
        fixture.rollups,
        tagged(at, { feature: 'search' }, { costPicoUsd: 5n }),
        keep(),
      );
      await addLive(fixture.rollups, tagged(at, { feature: 'chat' }), keep());
      await addLive(fixture.rollups, tagged(at, {}), keep());

      const days = await fixture.rollups.queryTagValues(
        accountId,
        'feature',
        ['search', 'chat'],
        'day',
        ...EVERYTHING,
      );
      const hours = await fixture.rollups.queryTagHours(accountId, 'feature', ...EVERYTHING);
      const team = await fixture.rollups.queryTagHours(accountId, 'team', ...EVERYTHING);
      expect(days.map((d) => [d.tagValue, d.requests, d.sealed]).sort()).toEqual([
        ['chat', 1, false],
        ['search', 2, false],
      ]);
      // The fixture record costs 1 pico-USD; the second search request 5.
      expect(days.find((d) => d.tagValue === 'search')?.costPicoUsd).toBe(6n);
      expect(hours.map((h) => [h.bucketStart, h.tagValue, h.requests]).sort()).toEqual([
        ['2026-01-31T20:00:00.000Z', 'chat', 1],
        ['2026-01-31T20:00:00.000Z', 'search', 2],
      ]);
      expect(team.map((h) => [h.tagKey, h.tagValue, h.requests])).toEqual([['team', 'core', 1]]);
    });

    it('reads one value exactly: values sharing a prefix or holding separators stay apart', async () => {
      const at = '2026-01-31T21:10:00.000Z';
      const values = ['a', 'a b', 'a|b', 'a#b', 'a%7Cb', 'a:b/c', 'A'];
      for (const value of values) await addLive(fixture.rollups, tagged(at, { k: value }), keep());
      for (const value of values) {
        for (const [granularity, fromIso] of [
          ['hour', '2026-01-31T21:00:00.000Z'],
          ['day', '2026-01-31T00:00:00.000Z'],
        ] as const) {
          const read = await fixture.rollups.queryTagValues(
            accountId,
            'k',
            [value],
            granularity,
            Date.parse(fromIso),
            Date.parse('2026-01-31T22:00:00.000Z'),
          );
          expect(read.map((r) => [r.tagValue, r.requests])).toEqual([[value, 1]]);
        }
      }
    });

    it('reads only buckets in [from, to), skips expired items and keeps accounts apart', async () => {
      await addLive(fixture.rollups, tagged('2026-01-31T20:10:00.000Z', { k: 'v' }), keep());
      await addLive(fixture.rollups, tagged('2026-02-01T03:10:00.000Z', { k: 'v' }), keep());
      await addLive(fixture.rollups, tagged('2026-01-31T22:10:00.000Z', { k: 'v' }), {
        expiresAtEpochSeconds: Math.floor(START_MS / 1000) + 60,
      });
      clock.set(START_MS + 120_000);
      const day = await fixture.rollups.queryTagValues(
        accountId,
        'k',
        ['v'],
        'day',
        Date.parse('2026-02-01'),
        Date.parse('2026-02-02'),
      );
      expect(day.map((d) => [d.bucketStart, d.requests])).toEqual([
        ['2026-02-01T00:00:00.000Z', 1],
      ]);
      const hours = await fixture.rollups.queryTagValues(
        accountId,
        'k',
        ['v'],
        'hour',
        START_MS,
        START_MS + 3 * HOUR_MS,
      );
      expect(hours.map((h) => h.bucketStart)).toEqual(['2026-01-31T20:00:00.000Z']);
      expect(await fixture.rollups.queryTagHours(`other-${accountId}`, 'k', ...EVERYTHING)).toEqual(
        [],
      );
    });

    it('keeps the latest time each key was seen, whatever order batches arrive in', async () => {
      await fixture.rollups.noteTagKey(accountId, 'feature', '2026-01-31T20:10:00.000Z');
      await fixture.rollups.noteTagKey(accountId, 'team', '2026-01-31T20:20:00.000Z');
      await fixture.rollups.noteTagKey(accountId, 'feature', '2026-01-31T20:05:00.000Z');
      await fixture.rollups.noteTagKey(accountId, 'feature', '2026-01-31T20:30:00.000Z');
      expect(await fixture.rollups.listTagKeys(accountId)).toEqual([
        { key: 'feature', lastSeenAt: '2026-01-31T20:30:00.000Z' },
        { key: 'team', lastSeenAt: '2026-01-31T20:20:00.000Z' },
      ]);
      expect(await fixture.rollups.listTagKeys(`other-${accountId}`)).toEqual([]);
    });
  });

  describe('seal writes', () => {
    it('replaces an hour of a key completely and stores its summary', async () => {
      const at = '2026-01-31T20:10:00.000Z';
      await addLive(fixture.rollups, tagged(at, { k: 'stale' }), keep());
      await addLive(fixture.rollups, tagged(at, { other: 'x' }), keep());
      const records = [tagged(at, { k: 'fresh' }, { costPicoUsd: 9_007_199_254_740_993_123n })];
      const rollups = tagRollupsFromRecords(
        records.map((record) => ({ record, ...keep() })),
        'hour',
        true,
      );
      const summary = summarizeTagBucket(
        { accountId, tagKey: 'k', granularity: 'hour', bucketStart: '2026-01-31T20:00:00.000Z' },
        rollups,
      );

      await fixture.rollups.replaceTagHour(accountId, 'k', START_MS, rollups, summary);

      const hours = await fixture.rollups.queryTagHours(accountId, 'k', ...EVERYTHING);
      expect(hours.map((h) => [h.tagValue, h.sealed, h.costPicoUsd])).toEqual([
        ['fresh', true, 9_007_199_254_740_993_123n],
      ]);
      expect(await fixture.rollups.queryTagHours(accountId, 'other', ...EVERYTHING)).toHaveLength(
        1,
      );
      expect(
        await fixture.rollups.queryTagSummaries(accountId, 'k', 'hour', ...EVERYTHING),
      ).toEqual([summary]);
      expect(await fixture.rollups.queryTagSummaries(accountId, 'k', 'day', ...EVERYTHING)).toEqual(
        [],
      );
    });

    it('stores a summary far larger than one item whole (many values and combinations)', async () => {
      const at = '2026-01-31T20:10:00.000Z';
      const records = Array.from({ length: 3000 }, (_, i) =>
        tagged(
          at,
          { k: `customer-${String(i % 400).padStart(40, 'x')}` },
          {
            requester: `requester-${i}-${'r'.repeat(90)}`,
            costPicoUsd: BigInt(i) * 1_000_000_007n,
          },
        ),
      );
      const rollups = tagRollupsFromRecords(
        records.map((record) => ({ record, ...keep() })),
        'day',
        true,
      );
      const summary = summarizeTagBucket(
        { accountId, tagKey: 'k', granularity: 'day', bucketStart: '2026-01-31T00:00:00.000Z' },
        rollups,
      );
      expect(summary.values).toHaveLength(TAG_SUMMARY_VALUES);
      expect(summary.foldedValues).toBe(300);

      await fixture.rollups.putTagDay(accountId, 'k', Date.parse('2026-01-31'), [], summary);

      const [read] = await fixture.rollups.queryTagSummaries(accountId, 'k', 'day', ...EVERYTHING);
      expect(read).toEqual(summary);
    });

    it('overwrites daily items and writes a summary only when given', async () => {
      const day = Date.parse('2026-01-31');
      await addLive(fixture.rollups, tagged('2026-01-31T20:10:00.000Z', { k: 'v' }), keep());
      const sealedDay = tagRollupsFromRecords(
        [{ record: tagged('2026-01-31T20:10:00.000Z', { k: 'v' }, { inputTokens: 7 }), ...keep() }],
        'day',
        true,
      );
      await fixture.rollups.putTagDay(accountId, 'k', day, sealedDay, undefined);
      const [read] = await fixture.rollups.queryTagValues(
        accountId,
        'k',
        ['v'],
        'day',
        ...EVERYTHING,
      );
      expect([read?.inputTokens, read?.sealed]).toEqual([7, true]);
      expect(await fixture.rollups.queryTagSummaries(accountId, 'k', 'day', ...EVERYTHING)).toEqual(
        [],
      );
    });
  });

  describe('exactness after the seal job', () => {
    it('makes every tag rollup and summary equal the sums over the raw records, redelivered batches included', async () => {
      // Arrange: random traffic over Jan 31 20:00 .. Feb 1 04:00 with up to 3 tags per request:
      // `customer` from 120 values (summaries keep 20 by name here), `feature` from 4, `run`
      // unique per request; batches die, fail halfway and are redelivered, or come twice.
      const random = prng(0x7a65);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
      const unique: StoredUsageRecord[] = [];
      for (let i = 0; i < 200; i += 1) {
        const at = new Date(START_MS + Math.floor(random() * 8 * HOUR_MS)).toISOString();
        const tags: Record<string, string> = {};
        if (random() < 0.9) tags.customer = `cus_${Math.floor(random() * 120)}`;
        if (random() < 0.6) tags.feature = pick(['search', 'chat', 'agent:plan', 'a|b']);
        if (random() < 0.2) tags.run = `run-${i}`;
        const record = tagged(at, tags, {
          model: pick(['gpt-4o-mini', 'gpt-4o']),
          ...(random() < 0.5 ? { requester: pick(['alice', 'bob']) } : {}),
          status: pick([200, 200, 200, 429, 500]),
          inputTokens: Math.floor(random() * 5000),
          outputTokens: Math.floor(random() * 2000),
          cacheWriteTokens: Math.floor(random() * 100),
          costPicoUsd: random() < 0.1 ? null : BigInt(Math.floor(random() * 1e9)) * 1_000_003n,
          latencyMs: Math.floor(random() * 9000),
        });
        const retention = { expiresAtEpochSeconds: Math.floor(START_MS / 1000) + 30 * DAY_SECONDS };
        unique.push({ record, ...retention });
        await fixture.usage.append(record, retention);
      }
      // No record here carries a budget reservation: the ledger is never called.
      const live = {
        rollups: fixture.rollups,
        logger: SILENT,
        budgetLedger: new InMemoryBudgets(),
      };
      const fates = { died: 0, halfway: 0, doubled: 0 };
      for (let from = 0, batches = 0; from < unique.length; batches += 1) {
        const batch = unique.slice(from, from + 1 + Math.floor(random() * 40));
        from += batch.length;
        const fate = batches % 5;
        if (fate === 0) {
          await aggregateUsage({ ...live, rollups: failingTagAdds(fixture.rollups, 0) }, batch);
          fates.died += 1;
        } else if (fate === 1) {
          const failed = await aggregateUsage(
            { ...live, rollups: failingTagAdds(fixture.rollups, 3) },
            batch,
          );
          const retry = await aggregateUsage(live, batch.slice(failed.retryFrom));
          expect(retry.retryFrom).toBeUndefined();
          fates.halfway += failed.retryFrom === undefined ? 0 : 1;
        } else if (fate === 2) {
          await aggregateUsage(live, batch);
          await aggregateUsage(live, batch);
          fates.doubled += 1;
        } else {
          expect((await aggregateUsage(live, batch)).retryFrom).toBeUndefined();
        }
      }
      expect(fates.died * fates.halfway * fates.doubled).toBeGreaterThan(0);
      const expectedHours = tagSumsByHand(unique, HOUR_MS);
      const expectedDays = tagSumsByHand(unique, DAY_MS);
      const keys = ['customer', 'feature', 'run'];
      const liveHours = (
        await Promise.all(
          keys.map((k) => fixture.rollups.queryTagHours(accountId, k, ...EVERYTHING)),
        )
      ).flat();
      expect(tagSumsOfRollups(liveHours)).not.toEqual(expectedHours); // the live path alone is off

      // Act: both days closed, seal everything.
      clock.set(Date.parse('2026-02-02T00:30:00.000Z'));
      await sealRollups(
        { rollups: fixture.rollups, clock, logger: SILENT },
        { lookbackMs: 2 * DAY_MS, tagSummaryValues: KEEP_VALUES },
      );

      // Assert: hourly and daily tag rollups equal raw sums, every item sealed.
      const hours = (
        await Promise.all(
          keys.map((k) => fixture.rollups.queryTagHours(accountId, k, ...EVERYTHING)),
        )
      ).flat();
      expect(tagSumsOfRollups(hours)).toEqual(expectedHours);
      expect(hours.every((h) => h.sealed)).toBe(true);
      const valuesOf = (key: string) => [
        ...new Set(unique.flatMap(({ record }) => record.tags?.[key] ?? [])),
      ];
      const days = (
        await Promise.all(
          keys.map((k) =>
            fixture.rollups.queryTagValues(accountId, k, valuesOf(k), 'day', ...EVERYTHING),
          ),
        )
      ).flat();
      expect(tagSumsOfRollups(days)).toEqual(expectedDays);
      expect(days.every((d) => d.sealed)).toBe(true);

      // Every closed day's and hour's summary: the top values by cost by name, the remainder
      // exactly the rest, together the bucket's whole tagged usage.
      let folded = 0;
      for (const [granularity, sizeMs] of [
        ['day', DAY_MS],
        ['hour', HOUR_MS],
      ] as const) {
        for (const key of keys) {
          const summaries = await fixture.rollups.queryTagSummaries(
            accountId,
            key,
            granularity,
            ...EVERYTHING,
          );
          const buckets = new Set(
            unique
              .filter(({ record }) => record.tags?.[key] !== undefined)
              .map(({ record }) => bucketOf(record.at, sizeMs)),
          );
          expect(new Set(summaries.map((s) => s.bucketStart))).toEqual(buckets);
          for (const summary of summaries) {
            folded += summary.foldedValues;
            checkSummary(
              summary,
              KEEP_VALUES,
              valueSumsByHand(
                unique.filter(({ record }) => bucketOf(record.at, sizeMs) === summary.bucketStart),
                key,
              ),
            );
          }
        }
      }
      expect(folded).toBeGreaterThan(0);
    }, 120_000); // ~200 records, 3 keys and their seal on dynalite
  });
}

/** A summary against hand sums per value: kept values exact and the highest, the rest folded. */
function checkSummary(summary: TagSummary, keep: number, byValue: Map<string, HandTotals>): void {
  const ranked = [...byValue].sort(([va, a], [vb, b]) => {
    const ca = BigInt(a.costPicoUsd);
    const cb = BigInt(b.costPicoUsd);
    if (ca !== cb) return ca > cb ? -1 : 1;
    if (a.requests !== b.requests) return b.requests - a.requests;
    return va < vb ? -1 : 1;
  });
  const kept = ranked.slice(0, keep);
  expect(summary.values.map((v) => v.value)).toEqual(kept.map(([value]) => value));
  for (const { value, entries } of summary.values) {
    expect(entriesTotal(entries)).toEqual(summaryTotals(byValue.get(value)));
  }
  let rest: HandTotals | undefined;
  for (const [, totals] of ranked.slice(keep)) {
    rest = {
      ...summaryTotals(totals),
      requests: (rest?.requests ?? 0) + totals.requests,
      errors: (rest?.errors ?? 0) + totals.errors,
      inputTokens: (rest?.inputTokens ?? 0) + totals.inputTokens,
      outputTokens: (rest?.outputTokens ?? 0) + totals.outputTokens,
      cacheWriteTokens: (rest?.cacheWriteTokens ?? 0) + totals.cacheWriteTokens,
      costPicoUsd: String(BigInt(rest?.costPicoUsd ?? '0') + BigInt(totals.costPicoUsd)),
      unpricedRequests: (rest?.unpricedRequests ?? 0) + totals.unpricedRequests,
    };
  }
  expect(entriesTotal(summary.rest)).toEqual(summaryTotals(rest));
  expect(summary.foldedValues).toBe(Math.max(0, ranked.length - keep));
}
