import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Currency } from '#core/accounts/account.ts';
import { FALLBACK_FX } from '#core/currency/fx.ts';
import { createDashboardService } from '#core/dashboard/dashboard-service.ts';
import type { Clock } from '#core/ports/clock.ts';
import type { RollupSealStore } from '#core/ports/rollup-seal-store.ts';
import type { RollupStore } from '#core/ports/rollup-store.ts';
import type { UsageRetention, UsageStore } from '#core/ports/usage-store.ts';
import type { ProviderId } from '#core/providers/provider-registry.ts';
import { aggregateUsage } from '#core/rollups/aggregate-usage.ts';
import { DAY_MS, HOUR_MS } from '#core/rollups/buckets.ts';
import { latencyBucketIndex } from '#core/rollups/latency-histogram.ts';
import { repackDay, unpackDays } from '#core/rollups/month-packs.ts';
import {
  addCounts,
  EMPTY_COUNTS,
  providerErrorsOf,
  type Rollup,
  type RollupCounts,
  rollupsFromRecords,
  type StoredUsageRecord,
} from '#core/rollups/rollup.ts';
import { ROLLUP_PACK_FAMILY, readDailyRollups } from '#core/rollups/rollup-packs.ts';
import { sealRollups } from '#core/rollups/seal-rollups.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { InMemoryBudgets } from '../fakes/in-memory-budgets.ts';
import { addLive } from '../fixtures/live-rollups.ts';
import { prng } from '../fixtures/prng.ts';
import { SILENT_LOGGER as SILENT } from '../fixtures/silent-logger.ts';

const DAY_SECONDS = 86_400;

export interface RollupStoreFixture {
  readonly usage: UsageStore;
  /** Both sides of the rollups: the live store and the seal store (one adapter implements both). */
  readonly rollups: RollupStore & RollupSealStore;
}

function record(accountId: string, at: string, overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    requestId: randomUUID(),
    accountId,
    at,
    provider: 'openai',
    model: 'gpt-4o-mini',
    status: 200,
    inputTokens: 100,
    outputTokens: 20,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    totalTokens: 120,
    costPicoUsd: 27_000_000n,
    priceVersion: 'test',
    latencyMs: 250,
    streamed: false,
    cached: false,
    mode: 'stored',
    ...overrides,
  };
}

/**
 * The store with `addToRollup` failing after `successes` calls: an aggregator that died or was
 * throttled partway through a batch (a Proxy: private fields need the real receiver).
 */
function failingAdds<T extends RollupStore & RollupSealStore>(store: T, successes: number): T {
  let calls = 0;
  return new Proxy(store, {
    get(target, property) {
      if (property === 'addToRollup') {
        return async (rollup: Rollup) => {
          calls += 1;
          if (calls > successes) throw new Error('ProvisionedThroughputExceededException');
          await target.addToRollup(rollup);
        };
      }
      const value = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Comparable form: histogram as sorted entries, bigint as string, no `sealed`. */
function comparable(rollup: Rollup) {
  const { latencyHistogram, costPicoUsd, sealed: _sealed, ...rest } = rollup;
  return {
    ...rest,
    costPicoUsd: costPicoUsd.toString(),
    latencyHistogram: [...latencyHistogram].sort(([a], [b]) => a - b),
  };
}

function addAll(rollups: readonly Rollup[]): RollupCounts {
  return rollups.reduce<RollupCounts>((sum, rollup) => addCounts(sum, rollup), EMPTY_COUNTS);
}

function sumOf(rollups: readonly Rollup[], field: 'errors' | 'metrionErrors'): number {
  return rollups.reduce((sum, rollup) => sum + rollup[field], 0);
}

/**
 * A bucket and dimension combination spelled out field by field, not by `dimensionKey`: a key
 * that dropped a dimension would merge items here and there alike, and the sums would agree.
 */
function handKey(
  bucketStart: string,
  d: Pick<Rollup, 'provider' | 'model' | 'requester' | 'status' | 'kind'>,
): string {
  return JSON.stringify([bucketStart, d.provider, d.model, d.requester, d.status, d.kind]);
}

/** Sort order of comparable rollups: by bucket, then by their whole form. */
function byBucket(a: ReturnType<typeof comparable>, b: ReturnType<typeof comparable>): number {
  const left = JSON.stringify(a);
  const right = JSON.stringify(b);
  return left < right ? -1 : left > right ? 1 : 0;
}

function byKey(rollups: readonly Rollup[]) {
  return Object.fromEntries(rollups.map((r) => [handKey(r.bucketStart, r), comparable(r)]));
}

/**
 * What {@link byKey} should give for `stored` grouped by `granularity`, summed here field by field
 * rather than by the seal job's own fold (`rollupsFromRecords`), so a wrong fold cannot agree
 * with itself. Latency buckets come from `latencyBucketIndex` (unit-tested on its own).
 */
function sumsByHand(stored: readonly StoredUsageRecord[], granularity: 'hour' | 'day') {
  const bucketMs = granularity === 'hour' ? HOUR_MS : DAY_MS;
  const expected: Record<string, ReturnType<typeof comparable>> = {};
  const histograms = new Map<string, Map<number, number>>();
  const costs = new Map<string, bigint>();
  for (const { record: r, expiresAtEpochSeconds } of stored) {
    const bucketStart = new Date(Math.floor(Date.parse(r.at) / bucketMs) * bucketMs).toISOString();
    const requester = r.requester ?? null;
    // A record without a kind was written before kinds existed: a chat completion.
    const kind = r.kind ?? 'chat';
    const dimensions = { provider: r.provider, model: r.model, requester, status: r.status, kind };
    const key = handKey(bucketStart, dimensions);
    const was = expected[key];
    const histogram = histograms.get(key) ?? new Map<number, number>();
    const bucket = latencyBucketIndex(r.latencyMs);
    histogram.set(bucket, (histogram.get(bucket) ?? 0) + 1);
    histograms.set(key, histogram);
    costs.set(key, (costs.get(key) ?? 0n) + (r.costPicoUsd ?? 0n));
    expected[key] = {
      accountId: r.accountId,
      granularity,
      bucketStart,
      ...dimensions,
      requests: (was?.requests ?? 0) + 1,
      errors: (was?.errors ?? 0) + (r.status >= 400 ? 1 : 0),
      metrionErrors:
        (was?.metrionErrors ?? 0) + (r.status >= 400 && r.errorSource === 'metrion' ? 1 : 0),
      inputTokens: (was?.inputTokens ?? 0) + r.inputTokens,
      outputTokens: (was?.outputTokens ?? 0) + r.outputTokens,
      cacheReadTokens: (was?.cacheReadTokens ?? 0) + r.cacheReadTokens,
      cacheWriteTokens: (was?.cacheWriteTokens ?? 0) + r.cacheWriteTokens,
      costPicoUsd: String(costs.get(key)),
      unpricedRequests: (was?.unpricedRequests ?? 0) + (r.costPicoUsd === null ? 1 : 0),
      tierUnpricedRequests: (was?.tierUnpricedRequests ?? 0) + (r.tierUnpriced === true ? 1 : 0),
      latencyMsSum: (was?.latencyMsSum ?? 0) + r.latencyMs,
      latencyHistogram: [...histogram].sort(([a], [b]) => a - b),
      timeToFirstTokenMsSum: (was?.timeToFirstTokenMsSum ?? 0) + (r.timeToFirstTokenMs ?? 0),
      timeToFirstTokenCount:
        (was?.timeToFirstTokenCount ?? 0) + (r.timeToFirstTokenMs === undefined ? 0 : 1),
      streamedRequests: (was?.streamedRequests ?? 0) + (r.streamed ? 1 : 0),
      cachedRequests: (was?.cachedRequests ?? 0) + (r.cached ? 1 : 0),
      estimatedRequests: (was?.estimatedRequests ?? 0) + (r.estimated === true ? 1 : 0),
      expiresAtEpochSeconds: Math.max(was?.expiresAtEpochSeconds ?? 0, expiresAtEpochSeconds),
      earliestExpiresAtEpochSeconds: Math.min(
        was?.earliestExpiresAtEpochSeconds ?? expiresAtEpochSeconds,
        expiresAtEpochSeconds,
      ),
    };
  }
  return expected;
}

/**
 * The RollupStore and RollupSealStore contract, and the exactness property on top of it: whatever
 * happens to the live ADDs (lost, doubled, retried appends), after the seal job every hourly and
 * daily rollup equals the sum over its raw records, and dashboard totals equal raw sums.
 */
export function rollupStoreContract(
  createFixture: (clock: Clock) => Promise<RollupStoreFixture>,
): void {
  const START_MS = Date.parse('2026-01-31T20:00:00.000Z');
  const JAN_31 = Date.parse('2026-01-31T00:00:00.000Z');
  const NO_FILTERS = { model: [], provider: [], requester: [], status: [], kind: [] };
  let clock: FakeClock;
  let fixture: RollupStoreFixture;
  let accountId: string;
  const keep = (): UsageRetention => ({
    expiresAtEpochSeconds: Math.floor(clock.nowMs() / 1000) + 30 * DAY_SECONDS,
  });

  beforeEach(async () => {
    clock = new FakeClock({ startMs: START_MS });
    fixture = await createFixture(clock);
    accountId = `acct-${randomUUID()}`;
  });

  describe('live ADDs and queries', () => {
    it('adds records of one hour and dimension combination into one hourly and one daily item', async () => {
      const big = 9_007_199_254_740_993_123n; // beyond 2^53: must stay exact
      const a = record(accountId, '2026-01-31T20:05:00.000Z', { costPicoUsd: big });
      const b = record(accountId, '2026-01-31T20:55:00.000Z', { latencyMs: 4000 });
      for (const r of [a, b]) {
        await fixture.usage.append(r, keep());
        await addLive(fixture.rollups, r, keep());
      }
      const hours = await fixture.rollups.query(accountId, 'hour', START_MS, START_MS + HOUR_MS);
      expect(hours).toHaveLength(1);
      expect(hours[0]?.requests).toBe(2);
      expect(hours[0]?.costPicoUsd).toBe(big + 27_000_000n);
      expect(hours[0]?.latencyMsSum).toBe(4250);
      expect([...(hours[0]?.latencyHistogram.values() ?? [])].reduce((x, y) => x + y, 0)).toBe(2);
      expect(hours[0]?.sealed).toBe(false);
      const days = await fixture.rollups.query(
        accountId,
        'day',
        Date.parse('2026-01-31T00:00:00.000Z'),
        Date.parse('2026-02-01T00:00:00.000Z'),
      );
      expect(days.map((d) => d.requests)).toEqual([2]);
    });

    it("counts Metrion's own errors apart from the provider's", async () => {
      const at = '2026-01-31T20:10:00.000Z';
      const records = [
        record(accountId, at, { status: 502, errorSource: 'provider' }),
        record(accountId, at, { status: 502, errorSource: 'metrion' }),
        record(accountId, at, { status: 429, errorSource: 'metrion' }),
        record(accountId, at, { status: 500 }), // no source: the provider's
        record(accountId, at, { status: 200, errorSource: 'metrion' }), // stream cut: no error
      ];
      for (const r of records) await addLive(fixture.rollups, r, keep());
      const hours = await fixture.rollups.query(accountId, 'hour', START_MS, START_MS + HOUR_MS);
      expect(sumOf(hours, 'errors')).toBe(4);
      expect(sumOf(hours, 'metrionErrors')).toBe(2);
      expect(providerErrorsOf(addAll(hours))).toBe(2);
    });

    it('keeps each kind in its own item; a record without a kind is chat', async () => {
      const at = '2026-01-31T20:10:00.000Z';
      const legacy = record(accountId, at); // written before kinds existed
      await addLive(fixture.rollups, legacy, keep());
      await addLive(fixture.rollups, record(accountId, at, { kind: 'chat' }), keep());
      await addLive(fixture.rollups, record(accountId, at, { kind: 'responses' }), keep());
      await addLive(fixture.rollups, record(accountId, at, { kind: 'embeddings' }), keep());
      await addLive(fixture.rollups, record(accountId, at, { kind: 'responses' }), keep());
      const hours = await fixture.rollups.query(accountId, 'hour', START_MS, START_MS + HOUR_MS);
      const requestsByKind = Object.fromEntries(hours.map((h) => [h.kind, h.requests]));
      expect(requestsByKind).toEqual({ chat: 2, responses: 2, embeddings: 1 });
      expect(hours).toHaveLength(3);
    });

    it('reads only buckets in [from, to) and skips expired items', async () => {
      await addLive(fixture.rollups, record(accountId, '2026-01-31T20:00:00.000Z'), keep());
      await addLive(fixture.rollups, record(accountId, '2026-01-31T21:00:00.000Z'), keep());
      await addLive(fixture.rollups, record(accountId, '2026-01-31T22:30:00.000Z'), {
        expiresAtEpochSeconds: Math.floor(START_MS / 1000) + 60,
      });
      const inRange = await fixture.rollups.query(
        accountId,
        'hour',
        START_MS + HOUR_MS,
        START_MS + 2 * HOUR_MS,
      );
      expect(inRange.map((r) => r.bucketStart)).toEqual(['2026-01-31T21:00:00.000Z']);
      clock.set(START_MS + 120_000);
      const all = await fixture.rollups.query(accountId, 'hour', START_MS, START_MS + DAY_MS);
      expect(all.map((r) => r.bucketStart).sort()).toEqual([
        '2026-01-31T20:00:00.000Z',
        '2026-01-31T21:00:00.000Z',
      ]);
    });

    it('reads long ranges completely, each bucket once (segment edges included)', async () => {
      const hours = Array.from({ length: 40 }, (_, i) => START_MS + i * 7 * HOUR_MS);
      for (const hourMs of hours) {
        await addLive(fixture.rollups, record(accountId, new Date(hourMs).toISOString()), keep());
      }
      const all = await fixture.rollups.query(
        accountId,
        'hour',
        START_MS,
        START_MS + 300 * HOUR_MS,
      );
      expect(all.map((r) => Date.parse(r.bucketStart)).sort((a, b) => a - b)).toEqual(hours);
      const part = await fixture.rollups.query(
        accountId,
        'hour',
        START_MS + 7 * HOUR_MS,
        START_MS + 70 * HOUR_MS,
      );
      expect(part).toHaveLength(9);
    });

    it('keeps other accounts apart', async () => {
      await addLive(fixture.rollups, record(accountId, '2026-01-31T20:00:00.000Z'), keep());
      const other = await fixture.rollups.query(`other-${randomUUID()}`, 'hour', 0, START_MS * 2);
      expect(other).toEqual([]);
    });

    it('marks the hour dirty until cleared', async () => {
      await addLive(fixture.rollups, record(accountId, '2026-01-31T20:10:00.000Z'), keep());
      expect(await fixture.rollups.listDirty(START_MS)).toContain(accountId);
      await fixture.rollups.clearDirty(START_MS, accountId);
      expect(await fixture.rollups.listDirty(START_MS)).not.toContain(accountId);
    });

    it('reads raw records of exactly one hour (both edges)', async () => {
      const inside = [
        record(accountId, '2026-01-31T20:00:00.000Z'),
        record(accountId, '2026-01-31T20:59:59.999Z'),
      ];
      const outside = [
        record(accountId, '2026-01-31T19:59:59.999Z'),
        record(accountId, '2026-01-31T21:00:00.000Z'),
      ];
      for (const r of [...inside, ...outside]) await fixture.usage.append(r, keep());
      const raw = await fixture.rollups.rawRecordsInHour(accountId, START_MS);
      expect(raw.map((s) => s.record.requestId).sort()).toEqual(
        inside.map((r) => r.requestId).sort(),
      );
      expect(raw[0]?.record.costPicoUsd).toBe(27_000_000n);
    });

    it('replaces a bucket completely, deleting combinations no longer present', async () => {
      await addLive(fixture.rollups, record(accountId, '2026-01-31T20:00:00.000Z'), keep());
      await addLive(
        fixture.rollups,
        record(accountId, '2026-01-31T20:01:00.000Z', { model: 'gpt-4o' }),
        keep(),
      );
      const replacement = rollupsFromRecords(
        [{ record: record(accountId, '2026-01-31T20:30:00.000Z'), ...keep() }],
        'hour',
        true,
      );
      await fixture.rollups.replaceBucket(accountId, 'hour', START_MS, replacement);
      const hours = await fixture.rollups.query(accountId, 'hour', START_MS, START_MS + HOUR_MS);
      expect(hours.map((h) => [h.model, h.requests, h.sealed])).toEqual([['gpt-4o-mini', 1, true]]);
    });

    it('lists recent errors newest first, filtered and limited', async () => {
      const errors = [
        record(accountId, '2026-01-31T20:01:00.000Z', { status: 500, errorMessage: 'boom' }),
        record(accountId, '2026-01-31T20:02:00.000Z', { status: 429, model: 'gpt-4o' }),
        record(accountId, '2026-01-31T20:03:00.000Z', { status: 400 }),
      ];
      for (const r of errors) await addLive(fixture.rollups, r, keep());
      await addLive(fixture.rollups, record(accountId, '2026-01-31T20:04:00.000Z'), keep());
      const recent = await fixture.rollups.recentErrors(
        accountId,
        START_MS,
        START_MS + HOUR_MS,
        (r) => r.model === 'gpt-4o-mini',
        1,
      );
      expect(recent.map((r) => r.status)).toEqual([400]);
      const all = await fixture.rollups.recentErrors(
        accountId,
        START_MS,
        START_MS + HOUR_MS,
        () => true,
        50,
      );
      expect(all.map((r) => r.status)).toEqual([400, 429, 500]);
      expect(all[2]?.errorMessage).toBe('boom');
    });
  });

  describe('error copies', () => {
    it('overwrites an earlier copy of the same record (a reseal after reprice refreshes it)', async () => {
      const error = record(accountId, '2026-01-31T20:01:00.000Z', {
        status: 529,
        costPicoUsd: null,
        priceVersion: 'old',
      });
      await addLive(fixture.rollups, error, keep());
      await fixture.rollups.putErrors([
        { record: { ...error, costPicoUsd: 7n, priceVersion: 'new' }, ...keep() },
      ]);
      const copies = await fixture.rollups.recentErrors(
        accountId,
        START_MS,
        START_MS + HOUR_MS,
        () => true,
        10,
      );
      expect(copies.map((r) => [r.requestId, r.costPicoUsd, r.priceVersion])).toEqual([
        [error.requestId, 7n, 'new'],
      ]);
    });
  });

  /**
   * Random traffic 2026-01-31 20:00 .. 2026-02-01 04:00 (across a month boundary) with retried
   * appends, delivered to the aggregator in batches of which some died after their markers,
   * failed halfway (redelivered from the reported record) or were delivered twice.
   */
  async function randomTrafficThroughTheAggregator(random: () => number, records = 300) {
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const providers: [ProviderId, string[]][] = [
      ['openai', ['gpt-4o-mini', 'gpt-4o']],
      ['anthropic', ['claude-haiku-4-5', 'claude-sonnet-4-5']],
      ['gemini', ['gemini-2.5-flash']],
    ];
    const unique: StoredUsageRecord[] = [];
    let retried = 0;
    for (let i = 0; i < records; i += 1) {
      const [provider, models] = pick(providers);
      const status = pick([200, 200, 200, 200, 400, 429, 500, 529]);
      // Metrion's own errors next to the provider's; a 200 stream Metrion cut is no error.
      const errorSource = pick([undefined, 'provider', 'metrion'] as const);
      const at = new Date(START_MS + Math.floor(random() * 8 * HOUR_MS)).toISOString();
      const r = record(accountId, at, {
        provider,
        model: pick(models),
        // No kind (records before issue 14) and explicit chat fold into the same items.
        ...pick([{}, { kind: 'chat' }, { kind: 'responses' }, { kind: 'embeddings' }] as const),
        ...(random() < 0.7 ? { requester: pick(['alice', 'bob', 'agent-7']) } : {}),
        status,
        ...(errorSource === undefined || (status < 400 && errorSource === 'provider')
          ? {}
          : { errorSource, errorMessage: `${errorSource} failure` }),
        inputTokens: Math.floor(random() * 5000),
        outputTokens: Math.floor(random() * 2000),
        cacheReadTokens: Math.floor(random() * 300),
        costPicoUsd: random() < 0.1 ? null : BigInt(Math.floor(random() * 1e9)) * 1_000_003n,
        // Served in a tier the price data has no price for: priced standard, counted.
        ...(i % 7 === 3 ? { serviceTier: 'scale', tierUnpriced: true } : {}),
        latencyMs: Math.floor(random() ** 3 * 60_000),
        ...(random() < 0.5
          ? {
              streamed: true,
              timeToFirstTokenMs: Math.floor(random() * 900),
              // A stream the client dropped before the provider's usage: counted by Metrion.
              ...(status === 200 && i % 5 === 0 ? { estimated: true } : {}),
            }
          : {}),
      });
      const retention = {
        expiresAtEpochSeconds: Math.floor(Date.parse(at) / 1000) + 30 * DAY_SECONDS,
      };
      unique.push({ record: r, ...retention });
      // A retried append (the proxy's record write after a throttle) stores nothing twice.
      expect(await fixture.usage.append(r, retention)).toBe('appended');
      if (random() < 0.15) {
        expect(await fixture.usage.append(r, retention)).toBe('duplicate');
        retried += 1;
      }
    }
    // The aggregator gets the appended records in batches, as a stream delivers them; some
    // batches die after their markers, fail halfway (redelivered from the reported record) or
    // are delivered twice.
    const live = { rollups: fixture.rollups, logger: SILENT, budgetLedger: new InMemoryBudgets() };
    let died = 0;
    let halfway = 0;
    let doubled = 0;
    for (let from = 0, batches = 0; from < unique.length; batches += 1) {
      const batch = unique.slice(from, from + 1 + Math.floor(random() * 40));
      from += batch.length;
      const fate = batches % 6;
      if (fate === 0) {
        // Died after its markers: none of its ADDs landed, and it is never redelivered.
        await aggregateUsage({ ...live, rollups: failingAdds(fixture.rollups, 0) }, batch);
        died += 1;
      } else if (fate === 1 || fate === 2) {
        const failed = await aggregateUsage(
          { ...live, rollups: failingAdds(fixture.rollups, 1) },
          batch,
        );
        expect(failed.retryFrom).toBeDefined();
        const retry = await aggregateUsage(live, batch.slice(failed.retryFrom));
        expect(retry.retryFrom).toBeUndefined();
        halfway += 1;
      } else if (fate === 3) {
        await aggregateUsage(live, batch);
        await aggregateUsage(live, batch);
        doubled += 1;
      } else {
        expect((await aggregateUsage(live, batch)).retryFrom).toBeUndefined();
      }
    }
    return { unique, died, halfway, doubled, retried };
  }

  describe('exactness after the seal job', () => {
    it('makes every hourly and daily rollup equal the sum of its raw records, across a month boundary', async () => {
      // Arrange: random traffic 2026-01-31 20:00 .. 2026-02-01 04:00 with retried appends, and
      // batches that died, failed halfway or were delivered twice.
      const random = prng(0x5eed);
      const { unique, died, halfway, doubled, retried } =
        await randomTrafficThroughTheAggregator(random);
      expect(died * halfway * doubled * retried).toBeGreaterThan(0);
      const window = [START_MS, START_MS + 8 * HOUR_MS] as const;
      const expectedHours = sumsByHand(unique, 'hour');
      const expectedDays = sumsByHand(unique, 'day');
      const liveHours = byKey(await fixture.rollups.query(accountId, 'hour', ...window));
      expect(liveHours).not.toEqual(expectedHours); // the live path alone is off

      // Act: all hours closed (grace passed), seal.
      clock.set(START_MS + 9 * HOUR_MS);
      await sealRollups(
        { rollups: fixture.rollups, clock, logger: SILENT },
        { lookbackMs: DAY_MS },
      );

      // Assert: hourly and daily rollups equal raw sums; everything sealed.
      const hours = await fixture.rollups.query(accountId, 'hour', ...window);
      expect(byKey(hours)).toEqual(expectedHours);
      expect(hours.every((h) => h.sealed)).toBe(true);
      const days = await fixture.rollups.query(
        accountId,
        'day',
        Date.parse('2026-01-31T00:00:00.000Z'),
        Date.parse('2026-02-02T00:00:00.000Z'),
      );
      expect(byKey(days)).toEqual(expectedDays);
      expect(new Set(days.map((d) => d.bucketStart))).toEqual(
        new Set(['2026-01-31T00:00:00.000Z', '2026-02-01T00:00:00.000Z']),
      );
      const errors = await fixture.rollups.recentErrors(accountId, ...window, () => true, 1000);
      expect(errors).toHaveLength(unique.filter((s) => s.record.status >= 400).length);

      // Overview totals equal raw sums (custom 8 h range -> hourly buckets).
      const dashboard = createDashboardService({
        rollups: fixture.rollups,
        accounts: { getAccount: async () => ({ currency: 'USD' as Currency }) as never },
        fxRates: { put: async () => undefined, latest: async () => undefined },
        clock,
      });
      const overview = await dashboard.overview(accountId, {
        range: 'custom',
        from: new Date(window[0]).toISOString(),
        to: new Date(window[1]).toISOString(),
        model: [],
        provider: [],
        requester: [],
        status: [],
        kind: [],
      });
      const raw = unique.map((s) => s.record);
      const metrionErrors = raw.filter((r) => r.status >= 400 && r.errorSource === 'metrion');
      expect(metrionErrors.length).toBeGreaterThan(0);
      expect(sumOf(hours, 'metrionErrors')).toBe(metrionErrors.length);
      expect(sumOf(days, 'metrionErrors')).toBe(metrionErrors.length);
      expect(overview.requests.total).toBe(raw.length);
      expect(overview.errors.total).toBe(raw.filter((r) => r.status >= 400).length);
      const picos = raw.reduce((sum, r) => sum + (r.costPicoUsd ?? 0n), 0n);
      const micros = (picos + 500_000n) / 1_000_000n; // half-up == half-even unless exactly .5
      expect(overview.cost.total).toBe(
        `${micros / 1_000_000n}.${String(micros % 1_000_000n).padStart(6, '0')}`,
      );
      expect(overview.cost.unpricedRequests).toBe(raw.filter((r) => r.costPicoUsd === null).length);
      const estimated = raw.filter((r) => r.estimated === true).length;
      expect(estimated).toBeGreaterThan(0);
      expect(overview.estimated).toEqual({ count: estimated, share: estimated / raw.length });
      expect(overview.tokens.total).toBe(
        raw.reduce(
          (s, r) => s + r.inputTokens + r.outputTokens + r.cacheReadTokens + r.cacheWriteTokens,
          0,
        ),
      );
      expect(overview.uniqueRequesters.total).toBe(
        new Set(raw.flatMap((r) => (r.requester ? [r.requester] : []))).size,
      );
      // The kind filter reads the rollups; chat includes the records written without a kind.
      for (const kind of ['chat', 'responses', 'embeddings'] as const) {
        const ofKind = raw.filter((r) => (r.kind ?? 'chat') === kind);
        expect(ofKind.length).toBeGreaterThan(0);
        const filtered = await dashboard.overview(accountId, {
          range: 'custom',
          from: new Date(window[0]).toISOString(),
          to: new Date(window[1]).toISOString(),
          model: [],
          provider: [],
          requester: [],
          status: [],
          kind: [kind],
        });
        expect(filtered.requests.total).toBe(ofKind.length);
      }
      expect(raw.some((r) => r.kind === undefined)).toBe(true);
      expect(overview.fx).toEqual({
        currency: 'USD',
        rate: '1.00000000',
        rateDate: FALLBACK_FX.date,
        source: 'fallback',
      });
    }, 60_000); // ~300 records and their seal on dynalite: seconds, more on a loaded machine

    it('packs every closed day into its month exactly, across a month boundary and after a redelivered batch', async () => {
      // Arrange: the same kind of traffic, over Jan 31 and Feb 1 (two months).
      const { unique } = await randomTrafficThroughTheAggregator(prng(0xfacade), 150);
      const days = [JAN_31, JAN_31 + 2 * DAY_MS] as const;
      const expectedDays = sumsByHand(unique, 'day');
      const seal = () => sealRollups({ rollups: fixture.rollups, clock, logger: SILENT });
      const packed = async () =>
        unpackDays(
          await fixture.rollups.queryMonthPacks(accountId, ...days),
          ...days,
          Math.floor(clock.nowMs() / 1000),
        );
      // The Dashboard's read of a range holding a week of each month (so both months' packs).
      const read = () =>
        readDailyRollups(fixture.rollups, accountId, {
          fromMs: JAN_31 - 6 * DAY_MS,
          toMs: JAN_31 + 8 * DAY_MS,
          nowMs: clock.nowMs(),
        });

      // Act 1: the morning after, Jan 31 is over and packed; Feb 1 is not over yet. (Report
      // counts would include other tests' accounts on a shared table: coverage is read instead.)
      clock.set(START_MS + 9 * HOUR_MS);
      await seal();
      expect([...(await packed()).coveredDays]).toEqual([JAN_31]);

      // Act 2: once Feb 1 is over, its last hour (no traffic) is sealed and the day packed.
      clock.set(JAN_31 + 2 * DAY_MS + 30 * 60_000);
      await seal();
      const both = await packed();
      expect([...both.coveredDays].sort()).toEqual([JAN_31, JAN_31 + DAY_MS]);
      expect(byKey(both.items)).toEqual(expectedDays);
      expect(byKey(await read())).toEqual(expectedDays);

      // Act 3: a batch redelivered after the packing counts twice in the daily items only.
      await aggregateUsage(
        { rollups: fixture.rollups, logger: SILENT, budgetLedger: new InMemoryBudgets() },
        unique.slice(0, 30),
      );
      expect(byKey(await fixture.rollups.query(accountId, 'day', ...days))).not.toEqual(
        expectedDays,
      );
      expect(byKey(await read())).toEqual(expectedDays);

      // Assert: sealed again, every granularity equals the raw records.
      clock.set(clock.nowMs() + HOUR_MS);
      await seal();
      expect(byKey(await fixture.rollups.query(accountId, 'day', ...days))).toEqual(expectedDays);
      expect(byKey(await fixture.rollups.query(accountId, 'hour', ...days))).toEqual(
        sumsByHand(unique, 'hour'),
      );
      expect(byKey((await packed()).items)).toEqual(expectedDays);
      expect(byKey(await read())).toEqual(expectedDays);

      // And the 7-day Dashboard (daily buckets, read from the packs) shows each day's raw count.
      const dashboard = createDashboardService({
        rollups: fixture.rollups,
        accounts: { getAccount: async () => undefined },
        fxRates: { put: async () => undefined, latest: async () => undefined },
        clock,
      });
      const week = await dashboard.overview(accountId, { range: '7d', ...NO_FILTERS });
      const perDay = (dayMs: number) =>
        unique.filter(
          ({ record }) => Date.parse(record.at) - dayMs < DAY_MS && Date.parse(record.at) >= dayMs,
        );
      const series = week.requests.success.map(
        (success, i) => success + (week.requests.errors[i] ?? 0),
      );
      expect(series.slice(-3)).toEqual([perDay(JAN_31).length, perDay(JAN_31 + DAY_MS).length, 0]);
      expect(week.requests.total).toBe(unique.length);
      expect(week.range.buckets.at(-3)).toBe('2026-01-31T00:00:00.000Z');
    }, 60_000);

    it('stores month packs and manifests whole: every field, costs beyond 2^53, expired days', async () => {
      // Arrange: a pack of two days in January and one in February, one of them expired.
      const at = (iso: string, overrides: Partial<UsageRecord> = {}) => ({
        record: record(accountId, iso, { requester: 'team|a b', ...overrides }),
        expiresAtEpochSeconds: Math.floor(START_MS / 1000) + DAY_SECONDS,
      });
      const janFirst = rollupsFromRecords(
        [
          at('2026-01-30T10:00:00.000Z', { costPicoUsd: 9_007_199_254_740_993_123n }),
          at('2026-01-30T11:00:00.000Z', {
            status: 500,
            streamed: true,
            timeToFirstTokenMs: 7,
            serviceTier: 'scale',
            tierUnpriced: true,
          }),
        ],
        'day',
        true,
      );
      const expired = rollupsFromRecords(
        [{ ...at('2026-01-31T10:00:00.000Z'), expiresAtEpochSeconds: 1 }],
        'day',
        true,
      );
      const feb = rollupsFromRecords(
        [at('2026-02-01T10:00:00.000Z', { kind: 'embeddings' })],
        'day',
        true,
      );
      let january = await fixture.rollups.queryMonthPacks(accountId, JAN_31, JAN_31 + 1);
      for (const [dayMs, items] of [
        [JAN_31 - DAY_MS, janFirst],
        [JAN_31, expired],
      ] as const) {
        const update = repackDay(ROLLUP_PACK_FAMILY, january, { accountId, dayMs }, items);
        await fixture.rollups.writeMonthPacks(update);
        january = await fixture.rollups.queryMonthPacks(accountId, JAN_31, JAN_31 + 1);
      }
      await fixture.rollups.writeMonthPacks(
        repackDay(
          ROLLUP_PACK_FAMILY,
          { packs: [], manifests: [] },
          { accountId, dayMs: JAN_31 + DAY_MS },
          feb,
        ),
      );

      // Act: read January only, then both months.
      const onlyJanuary = await fixture.rollups.queryMonthPacks(accountId, JAN_31, JAN_31 + 1);
      const both = await fixture.rollups.queryMonthPacks(accountId, JAN_31, JAN_31 + 2 * DAY_MS);

      // Assert: the stored forms read back as written; validation covers the three days.
      expect(onlyJanuary.manifests.map((m) => m.monthStart)).toEqual(['2026-01-01T00:00:00.000Z']);
      const slices = (packs: typeof both) =>
        packs.packs.flatMap((pack) => [...pack.days.values()].map(({ item }) => comparable(item)));
      expect(slices(onlyJanuary).sort(byBucket)).toEqual(
        [...janFirst, ...expired].map(comparable).sort(byBucket),
      );
      expect(slices(both)).toHaveLength(janFirst.length + expired.length + feb.length);
      const { items, coveredDays } = unpackDays(
        both,
        JAN_31 - DAY_MS,
        JAN_31 + 2 * DAY_MS,
        Math.floor(START_MS / 1000),
      );
      expect(coveredDays.size).toBe(3);
      expect(items.map(comparable).sort(byBucket)).toEqual(
        [...janFirst, ...feb].map(comparable).sort(byBucket),
      );
    });
  });
}
