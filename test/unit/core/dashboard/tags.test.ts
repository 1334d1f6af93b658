import { describe, expect, it } from 'vitest';
import { tagBreakdownSchema } from '#contracts/dashboard-api.ts';
import { exactUsd } from '#core/currency/money-text.ts';
import { createDashboardService } from '#core/dashboard/dashboard-service.ts';
import { TAG_BREAKDOWN_VALUES } from '#core/dashboard/tags.ts';
import { InvalidRequestError } from '#core/errors.ts';
import { HOUR_MS } from '#core/rollups/buckets.ts';
import { sealRollups } from '#core/rollups/seal-rollups.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';
import { InMemoryRollupStore } from '../../../fakes/in-memory-rollup-store.ts';
import { InMemoryUsageStore } from '../../../fakes/in-memory-usage-store.ts';
import { testAccount } from '../../../fixtures/account.ts';
import { addLive } from '../../../fixtures/live-rollups.ts';
import { prng } from '../../../fixtures/prng.ts';
import { SILENT_LOGGER } from '../../../fixtures/silent-logger.ts';
import { usageRecord } from '../../../fixtures/usage-record.ts';

const NOW = Date.parse('2026-03-10T12:30:00.000Z');
const KEEP = { expiresAtEpochSeconds: NOW / 1000 + 86_400 * 365 };
const ALL = { model: [], provider: [], requester: [], status: [], kind: [] };
/** One dollar and one cent, in pico-USD. */
const DOLLAR = 1_000_000_000_000n;
const CENT = 10_000_000_000n;

function rec(at: string, tags: Record<string, string>, overrides: Partial<UsageRecord> = {}) {
  return usageRecord({
    at,
    tags,
    costPicoUsd: CENT,
    inputTokens: 10,
    outputTokens: 5,
    ...overrides,
  });
}

/** A store with the records appended and aggregated live, and the dashboard over it. */
async function setup(records: readonly UsageRecord[]) {
  const clock = new FakeClock({ startMs: NOW });
  const usage = new InMemoryUsageStore({ clock });
  const rollups = new InMemoryRollupStore({ usage, clock });
  for (const record of records) {
    await usage.append(record, KEEP);
    await addLive(rollups, record, KEEP);
  }
  const dashboard = createDashboardService({
    rollups,
    accounts: { getAccount: async () => testAccount('acc_1') },
    fxRates: { put: async () => undefined, latest: async () => undefined },
    clock,
  });
  const seal = () =>
    sealRollups({ rollups, clock, logger: SILENT_LOGGER }, { lookbackMs: 40 * 86_400_000 });
  return { dashboard, rollups, seal, clock, usage };
}

describe('tag breakdown ("By tag")', () => {
  it('sums requests, tokens and cost per value, sorted by cost, from live hours', async () => {
    const { dashboard } = await setup([
      rec('2026-03-10T11:05:00.000Z', { feature: 'search' }),
      rec('2026-03-10T11:06:00.000Z', { feature: 'search', team: 'core' }),
      rec('2026-03-10T12:05:00.000Z', { feature: 'chat' }, { costPicoUsd: DOLLAR }),
      rec('2026-03-10T12:06:00.000Z', { team: 'core' }),
      rec('2026-03-10T12:07:00.000Z', {}),
    ]);

    const view = await dashboard.tags('acct', { range: '24h', ...ALL, key: 'feature' });

    expect(tagBreakdownSchema.strict().parse(view)).toEqual(view);
    expect(view.key).toBe('feature');
    expect(view.keys.sort()).toEqual(['feature', 'team']);
    expect(
      view.values.map((v) => [v.value, v.requests, v.totalTokens, v.costUsd, v.complete]),
    ).toEqual([
      ['chat', 1, 15, '1', true],
      ['search', 2, 30, '0.02', true],
    ]);
    expect(view.total).toMatchObject({ requests: 3, costUsd: '1.02', cost: '1.020000' });
    expect(view.other).toMatchObject({ requests: 0, costUsd: '0', share: 0 });
    // $1 of $1.02 and $0.02 of $1.02, to 6 places.
    expect(view.values.map((v) => v.share)).toEqual([0.980392, 0.019607]);
  });

  it('defaults to the key seen most recently, and answers an empty view without tags', async () => {
    const { dashboard } = await setup([
      rec('2026-03-10T11:05:00.000Z', { feature: 'search' }),
      rec('2026-03-10T12:05:00.000Z', { team: 'core' }),
    ]);
    expect((await dashboard.tags('acct', { range: '24h', ...ALL })).key).toBe('team');
    const none = await setup([rec('2026-03-10T11:05:00.000Z', {})]);
    const empty = await none.dashboard.tags('acct', { range: '7d', ...ALL });
    expect(empty).toMatchObject({ key: null, keys: [], values: [], total: { requests: 0 } });
  });

  it('names the 20 values of highest cost and puts the rest in other', async () => {
    const records = Array.from({ length: 25 }, (_, i) =>
      rec('2026-03-10T11:05:00.000Z', { customer: `c${i}` }, { costPicoUsd: BigInt(i + 1) * CENT }),
    );
    const { dashboard } = await setup(records);

    const view = await dashboard.tags('acct', { range: '24h', ...ALL, key: 'customer' });

    expect(view.values).toHaveLength(TAG_BREAKDOWN_VALUES);
    expect(view.values[0]).toMatchObject({ value: 'c24', costUsd: '0.25' });
    expect(view.values.at(-1)).toMatchObject({ value: 'c5', costUsd: '0.06' });
    // c0..c4 cost 1+2+3+4+5 cents.
    expect(view.other).toMatchObject({ requests: 5, costUsd: '0.15' });
    expect(view.total).toMatchObject({ requests: 25, costUsd: '3.25' });
  });

  it('reads sealed days from their summaries, exactly, and flags values a summary folded', async () => {
    // Arrange: 150 values on Mar 8 (a summary keeps 100 by name), `big` costs most; `small` is
    // cheap on Mar 8 (folded there) and alone on Mar 9; then the seal job closes both days.
    const mar8 = Array.from({ length: 150 }, (_, i) =>
      rec(
        '2026-03-08T10:00:00.000Z',
        { customer: i === 0 ? 'big' : `c${i}` },
        {
          costPicoUsd: i === 0 ? DOLLAR : CENT,
        },
      ),
    );
    const small = [
      rec('2026-03-08T11:00:00.000Z', { customer: 'small' }, { costPicoUsd: 1n }),
      rec('2026-03-09T11:00:00.000Z', { customer: 'small' }, { costPicoUsd: DOLLAR }),
    ];
    const { dashboard, seal, rollups } = await setup([...mar8, ...small]);
    await seal();
    const [mar8Summary] = await rollups.queryTagSummaries(
      'acct',
      'customer',
      'day',
      Date.parse('2026-03-08'),
      Date.parse('2026-03-09'),
    );
    expect(mar8Summary?.foldedValues).toBe(51);

    // Act
    const view = await dashboard.tags('acct', { range: '7d', ...ALL, key: 'customer' });

    // Assert: small and big by name; small's Mar 8 pico-USD, folded in that day's remainder, is
    // read back from its daily items, so small is exact (and ranks above big) and other loses it.
    expect(
      view.values.slice(0, 2).map((v) => [v.value, v.requests, v.costUsd, v.complete]),
    ).toEqual([
      ['small', 2, '1.000000000001', true],
      ['big', 1, '1', true],
    ]);
    expect(view.values.every((v) => v.complete)).toBe(true);
    // $1 (big) + 149 x $0.01 + 1 pico-USD and $1 (small); other: 131 values at $0.01.
    expect(view.total).toMatchObject({ requests: 152, costUsd: '3.490000000001' });
    expect(view.other).toMatchObject({ requests: 131, costUsd: '1.31' });
    const onlySmall = await dashboard.tags('acct', {
      range: '7d',
      ...ALL,
      tag: ['customer:small'],
    });
    expect(onlySmall.values.map((v) => [v.value, v.costUsd, v.complete])).toEqual([
      ['small', '1.000000000001', true],
    ]);
    expect(onlySmall.total).toMatchObject({ requests: 2, costUsd: '1.000000000001' });
    expect(onlySmall.other).toMatchObject({ requests: 0, costUsd: '0' });
  });

  it("makes today's folded values exact on a daily range; flags them on an hourly one", async () => {
    // Arrange: today, 150 values at 10:00 with small folded (1 pico-USD), then small at 11:00 for
    // $1; both hours sealed, so today is read from hour summaries.
    const tenOClock = Array.from({ length: 150 }, (_, i) =>
      rec('2026-03-10T10:00:00.000Z', { customer: `c${i}` }, { costPicoUsd: CENT }),
    );
    const { dashboard, seal } = await setup([
      ...tenOClock,
      rec('2026-03-10T10:30:00.000Z', { customer: 'small' }, { costPicoUsd: 1n }),
      rec('2026-03-10T11:00:00.000Z', { customer: 'small' }, { costPicoUsd: DOLLAR }),
    ]);
    await seal();

    // Act
    const week = await dashboard.tags('acct', { range: '7d', ...ALL, key: 'customer' });
    const day = await dashboard.tags('acct', { range: '24h', ...ALL, key: 'customer' });

    // Assert: the same totals; the daily range re-reads small, the hourly one flags it.
    expect(week.values[0]).toMatchObject({ value: 'small', requests: 2, complete: true });
    expect(week.values[0]?.costUsd).toBe('1.000000000001');
    expect(day.values[0]).toMatchObject({ value: 'small', requests: 1, complete: false });
    for (const view of [week, day]) {
      expect(view.total).toMatchObject({ requests: 152, costUsd: '2.500000000001' });
    }
    expect(week.other.requests + week.values.reduce((sum, v) => sum + v.requests, 0)).toBe(152);
  });

  it('names values exactly as the raw records sum them, with or without a filter (random tags)', async () => {
    // Arrange: a week of random traffic over 40 values, sealed with summaries that keep 5 values
    // by name per bucket (so most values are folded somewhere), then live traffic this hour.
    const random = prng(20);
    const models = ['gpt-4o-mini', 'gpt-4o', 'o3'] as const;
    const at = (ms: number) => new Date(ms).toISOString();
    const generate = (fromMs: number, toMs: number, count: number) =>
      Array.from({ length: count }, () =>
        rec(
          at(fromMs + Math.floor(random() * (toMs - fromMs))),
          { customer: `c${Math.floor(random() ** 2 * 40)}` },
          {
            model: models[Math.floor(random() * 3)] as string,
            costPicoUsd: BigInt(1 + Math.floor(random() * 1000)) * CENT,
          },
        ),
      );
    const weekStart = Date.parse('2026-03-04T00:00:00.000Z');
    const today = Date.parse('2026-03-10T00:00:00.000Z');
    // Today's sealed hours are dense enough for their hour summaries to fold values too.
    const sealedPart = [
      ...generate(weekStart, today, 600),
      ...generate(today, Date.parse('2026-03-10T11:00:00.000Z'), 250),
    ];
    const { dashboard, rollups, clock, usage } = await setup(sealedPart);
    await sealRollups(
      { rollups, clock, logger: SILENT_LOGGER },
      { lookbackMs: 10 * 86_400_000, tagSummaryValues: 5 },
    );
    const livePart = generate(Date.parse('2026-03-10T12:00:00.000Z'), NOW, 40);
    for (const record of livePart) {
      await usage.append(record, KEEP);
      await addLive(rollups, record, KEEP);
    }
    const bruteForce = (model?: string) => {
      const byValue = new Map<string, { requests: number; costPicoUsd: bigint }>();
      for (const record of [...sealedPart, ...livePart]) {
        if (model !== undefined && record.model !== model) continue;
        const value = record.tags?.customer as string;
        const seen = byValue.get(value) ?? { requests: 0, costPicoUsd: 0n };
        byValue.set(value, {
          requests: seen.requests + 1,
          costPicoUsd: seen.costPicoUsd + (record.costPicoUsd ?? 0n),
        });
      }
      return byValue;
    };

    for (const model of [undefined, 'gpt-4o']) {
      // Act
      const view = await dashboard.tags('acct', {
        range: '7d',
        ...ALL,
        model: model === undefined ? [] : [model],
        key: 'customer',
      });

      // Assert: every named value is its raw sum; named + other = total = the raw total.
      const expected = bruteForce(model);
      expect(view.values).toHaveLength(TAG_BREAKDOWN_VALUES);
      for (const named of view.values) {
        const raw = expected.get(named.value);
        expect([named.value, named.requests, named.costUsd, named.complete]).toEqual([
          named.value,
          raw?.requests,
          exactUsd(raw?.costPicoUsd ?? -1n),
          true,
        ]);
      }
      const all = [...expected.values()];
      const rawTotal = all.reduce((sum, v) => sum + v.costPicoUsd, 0n);
      expect(view.total.costUsd).toBe(exactUsd(rawTotal));
      expect(view.total.requests).toBe(all.reduce((sum, v) => sum + v.requests, 0));
      const namedRequests = view.values.reduce((sum, v) => sum + v.requests, 0);
      expect(view.other.requests).toBe(view.total.requests - namedRequests);
      const costs = view.values.map((v) => Number(v.costUsd));
      expect(costs).toEqual([...costs].sort((a, b) => b - a));
    }
  });

  it('applies the dashboard filters to every value, and filters by values of its own key', async () => {
    const { dashboard } = await setup([
      rec('2026-03-10T11:05:00.000Z', { feature: 'search' }, { model: 'gpt-4o' }),
      rec('2026-03-10T11:06:00.000Z', { feature: 'search' }),
      rec('2026-03-10T11:07:00.000Z', { feature: 'chat' }, { model: 'gpt-4o' }),
    ]);
    const byModel = await dashboard.tags('acct', {
      range: '24h',
      ...ALL,
      model: ['gpt-4o'],
      key: 'feature',
    });
    expect(byModel.values.map((v) => [v.value, v.requests])).toEqual([
      ['chat', 1],
      ['search', 1],
    ]);
    const onlySearch = await dashboard.tags('acct', {
      range: '24h',
      ...ALL,
      tag: ['feature:search'],
    });
    expect(onlySearch.values.map((v) => [v.value, v.requests])).toEqual([['search', 2]]);
    await expect(
      dashboard.tags('acct', { range: '24h', ...ALL, key: 'feature', tag: ['team:core'] }),
    ).rejects.toThrow(InvalidRequestError);
  });
});

describe('tag filter on the Dashboard tabs', () => {
  it('reads the tag rollups of the values: the overview counts exactly the tagged requests', async () => {
    const records = [
      rec('2026-03-10T11:05:00.000Z', { feature: 'search' }, { model: 'gpt-4o' }),
      rec('2026-03-09T11:05:00.000Z', { feature: 'search' }, { status: 500 }),
      rec('2026-03-08T11:05:00.000Z', { feature: 'chat' }),
      rec('2026-03-08T11:06:00.000Z', {}),
    ];
    const { dashboard, seal } = await setup(records);
    await seal();

    const search = await dashboard.overview('acct', {
      range: '7d',
      ...ALL,
      tag: ['feature:search'],
    });
    const both = await dashboard.costs('acct', {
      range: '7d',
      ...ALL,
      tag: ['feature:search', 'feature:chat'],
    });
    const hourly = await dashboard.overview('acct', {
      range: '24h',
      ...ALL,
      tag: ['feature:search'],
      model: ['gpt-4o'],
    });

    expect(search.requests.total).toBe(2);
    expect(search.errors.total).toBe(1);
    expect(search.cost.total).toBe('0.020000');
    expect(both.cost.total).toBe('0.030000');
    expect(hourly.requests.total).toBe(1);
    const searchErrors = await dashboard.errors('acct', {
      range: '7d',
      ...ALL,
      tag: ['feature:search'],
    });
    const chatErrors = await dashboard.errors('acct', {
      range: '7d',
      ...ALL,
      tag: ['feature:chat'],
    });
    expect(searchErrors.recent.map((e) => e.status)).toEqual([500]);
    expect(chatErrors.recent).toEqual([]);
  });

  it('refuses two tag keys (a tag rollup counts one key), naming them', async () => {
    const { dashboard } = await setup([]);
    await expect(
      dashboard.overview('acct', { range: '7d', ...ALL, tag: ['feature:a', 'team:b'] }),
    ).rejects.toThrow(/one tag key at a time \(got feature, team\)/);
  });

  it('reads hourly tag items of live hours for the 24h range (clock inside the hour)', async () => {
    const { dashboard, clock } = await setup([
      rec('2026-03-10T12:05:00.000Z', { feature: 'search' }),
    ]);
    clock.set(NOW + HOUR_MS / 4);
    const overview = await dashboard.overview('acct', {
      range: '24h',
      ...ALL,
      tag: ['feature:search'],
    });
    expect(overview.requests.total).toBe(1);
  });
});
